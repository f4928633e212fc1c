#include "tools/mailtool/check_maildir.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "drivers/maildir/filename.hpp"
#include "util/error.hpp"

namespace mail::tool {

namespace {

std::string_view base_of(std::string_view name) { return name.substr(0, name.find(':')); }

std::string_view info_of(std::string_view name) {
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? std::string_view() : name.substr(colon);
}

// The uidlist read line by line, so that one damaged line is one finding.
struct LenientUidlist {
    std::optional<maildir::Uidlist> header;
    std::vector<maildir::UidlistRecord> records;  // in file order, damaged lines left out
    bool damaged = false;
    bool out_of_order = false;
};

LenientUidlist read_uidlist(std::string_view text, Findings& out) {
    LenientUidlist u;
    size_t nl = text.find('\n');
    std::string head(text.substr(0, nl == std::string_view::npos ? text.size() : nl));
    try {
        u.header = maildir::parse_uidlist(head + "\n");
    } catch (const MailError& e) {
        out.problem("dovecot-uidlist line 1", e.what());
        u.damaged = true;
        return u;
    }
    size_t pos = nl + 1, line_no = 1;
    std::set<std::string, std::less<>> bases;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) break;  // being written
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (line.empty()) continue;
        maildir::UidlistRecord rec;
        try {
            rec = maildir::parse_uidlist(head + "\n" + std::string(line) + "\n").records.at(0);
        } catch (const std::exception& e) {
            out.problem("dovecot-uidlist line " + std::to_string(line_no), "damaged record");
            u.damaged = true;
            continue;
        }
        std::string where = "dovecot-uidlist line " + std::to_string(line_no) + " (UID " + std::to_string(rec.uid) + ")";
        if (!u.records.empty() && rec.uid <= u.records.back().uid) {
            out.problem(where, "UID " + std::to_string(rec.uid) + " is not above the previous UID " +
                                   std::to_string(u.records.back().uid));
            u.out_of_order = true;
        }
        if (!bases.insert(rec.base).second) {
            out.problem(where, "a second entry for " + rec.base);
            u.out_of_order = true;
            continue;
        }
        u.records.push_back(std::move(rec));
    }
    return u;
}

}  // namespace

std::string bad_flag_chars(std::string_view name) {
    std::string_view info = info_of(name);
    if (info.size() < 3) return "";
    std::string bad;
    for (char c : info.substr(3))
        if (!std::isalpha(static_cast<unsigned char>(c))) bad += c;
    return bad;
}

std::string corrected_name(std::string_view name, uint64_t size) {
    std::string_view base = base_of(name), info = info_of(name);
    std::string out;
    // Base: keep every ",X=" field but S (set) and W (dropped: may be wrong too).
    maildir::FileName parsed = maildir::parse_file_name(name);
    if (parsed.size && *parsed.size != size) {
        size_t comma = base.find(',');
        out = std::string(base.substr(0, comma));
        while (comma != std::string_view::npos) {
            size_t next = base.find(',', comma + 1);
            std::string_view field = base.substr(comma + 1, next == std::string_view::npos ? next : next - comma - 1);
            if (field.starts_with("S=")) out += ",S=" + std::to_string(size);
            else if (!field.starts_with("W=")) out += "," + std::string(field);
            comma = next;
        }
    } else {
        out = std::string(base);
    }
    if (info.starts_with(":2,")) {
        std::string letters;
        for (char c : info.substr(3))
            if (std::isalpha(static_cast<unsigned char>(c))) letters += c;
        std::sort(letters.begin(), letters.end());
        letters.erase(std::unique(letters.begin(), letters.end()), letters.end());
        out += ":2," + letters;
    } else {
        out += std::string(info);
    }
    return out;
}

MaildirAnalysis analyze_maildir(const MaildirListing& l) {
    MaildirAnalysis a;
    Findings& out = a.findings;
    MaildirPlan& plan = a.plan;
    for (auto [has, dir] : {std::pair{l.has_cur, "cur"}, {l.has_new, "new"}, {l.has_tmp, "tmp"}})
        if (!has) {
            out.problem(std::string(dir) + "/", "missing");
            plan.make_dirs.push_back(dir);
        }

    // Files, by base name; S= and flags.
    std::map<std::string, const MaildirFile*, std::less<>> by_base;
    for (const MaildirFile& f : l.files) {
        std::string where = f.dir + "/" + f.name;
        std::string_view info = info_of(f.name);
        if (!info.empty() && !info.starts_with(":2,")) out.problem(where, "the part after ':' is not \":2,FLAGS\"");
        if (std::string bad = bad_flag_chars(f.name); !bad.empty())
            out.problem(where, "bad flag characters \"" + bad + "\" (flags are letters)");
        maildir::FileName parsed = maildir::parse_file_name(f.name);
        if (parsed.size && *parsed.size != f.size)
            out.problem(where, "S=" + std::to_string(*parsed.size) + " but the file has " + std::to_string(f.size) +
                                   " bytes");
        if (!by_base.emplace(std::string(base_of(f.name)), &f).second)
            out.problem(where, "a second file with the base name " + std::string(base_of(f.name)));
        std::string fixed = corrected_name(f.name, f.size);
        if (fixed != f.name && info.starts_with(":2,") == (info_of(fixed).starts_with(":2,")))
            plan.renames.push_back({f.dir, f.name, fixed});
    }
    for (const auto& [name, mtime] : l.tmp_files)
        if (l.now - mtime > kStaleTmpSeconds) {
            out.problem("tmp/" + name, "a stale delivery, " + std::to_string((l.now - mtime) / 3600) + " hours old");
            plan.remove_tmp.push_back(name);
        }

    auto new_base = [&](const std::string& base) -> std::string {
        for (const auto& r : plan.renames)
            if (base_of(r.from) == base) return std::string(base_of(r.to));
        return base;
    };

    // The uidlist.
    if (!l.uidlist) {
        size_t in_cur = 0;
        for (const MaildirFile& f : l.files) in_cur += f.dir == "cur";
        if (in_cur) out.info("dovecot-uidlist", "none yet: UIDs are given at the next open");
    } else {
        LenientUidlist u = read_uidlist(*l.uidlist, out);
        maildir::Uidlist& list = plan.list;
        if (u.header) list = *u.header;
        list.records.clear();
        std::set<std::string, std::less<>> listed;
        for (const auto& rec : u.records) {
            listed.insert(rec.base);
            auto file = by_base.find(rec.base);
            if (file == by_base.end()) {
                out.problem("dovecot-uidlist UID " + std::to_string(rec.uid), "no file " + rec.base + " in cur/ or new/");
                plan.rewrite_uidlist = true;
                continue;
            }
            maildir::UidlistRecord kept = rec;
            std::string nb = new_base(rec.base);
            if (nb != rec.base) {
                kept.base = nb;
                std::erase_if(kept.extensions, [](const auto& e) { return e.first == 'W'; });
                plan.rewrite_uidlist = true;
            }
            list.records.push_back(std::move(kept));
        }
        Uid next = list.next_uid;
        for (const auto& r : list.records) next = std::max(next, r.uid + 1);
        for (const MaildirFile& f : l.files) {
            std::string base(base_of(f.name));
            if (f.dir != "cur" || listed.count(base)) continue;
            out.problem("cur/" + f.name, "no dovecot-uidlist entry");
            maildir::UidlistRecord rec;
            rec.base = new_base(base);
            rec.uid = next++;
            list.records.push_back(std::move(rec));
            plan.rewrite_uidlist = true;
        }
        list.next_uid = next;
        if (u.damaged || u.out_of_order || !u.header) {
            plan.rewrite_uidlist = plan.renumber = true;
            if (!u.header) list = maildir::Uidlist{};
            // Keep file order for the renumbering, add files the list lacked.
            std::set<std::string, std::less<>> have;
            for (const auto& r : list.records) have.insert(r.base);
            for (const MaildirFile& f : l.files)
                if (f.dir == "cur" && !have.count(new_base(std::string(base_of(f.name)))))
                    list.records.push_back({0, new_base(std::string(base_of(f.name))), {}});
            Uid uid = 0;
            for (auto& r : list.records) r.uid = ++uid;
            list.next_uid = uid + 1;
        }
    }
    if (out.problems() == 0)
        out.good("", "maildir, " + std::to_string(l.files.size()) + " messages" +
                         (l.uidlist && plan.list.uidvalidity ? ", UIDVALIDITY " + std::to_string(plan.list.uidvalidity) : ""));
    return a;
}

}  // namespace mail::tool
