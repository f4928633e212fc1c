// The imapd-recent claim file and the claim made at each read-write sync.
#include "drivers/maildir/recent.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>
#include <set>

#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

RecentClaim parse_recent_claim(std::string_view text) {
    RecentClaim c;
    const char* p = text.data();
    const char* end = p + text.size();
    auto [q, ec] = std::from_chars(p, end, c.uidvalidity);
    if (ec != std::errc() || q == end || *q != ' ') return {};
    auto [r, ec2] = std::from_chars(q + 1, end, c.last_claimed);
    if (ec2 != std::errc() || (r != end && *r != '\n')) return {};
    return c;
}

std::string format_recent_claim(const RecentClaim& claim) {
    return std::to_string(claim.uidvalidity) + " " + std::to_string(claim.last_claimed) + "\n";
}

std::optional<Uid> MaildirMailbox::read_recent_claim() const {
    auto text = read_whole_file(path_ + "/" + kRecentFileName);
    if (!text) return std::nullopt;
    RecentClaim c = parse_recent_claim(*text);
    if (c.uidvalidity != uidlist_.uidvalidity) return std::nullopt;
    return c.last_claimed;
}

bool MaildirMailbox::write_recent_claim(Uid last_claimed) {
    const std::string target = path_ + "/" + kRecentFileName, tmp = target + ".tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return false;
    try {
        write_all(fd.get(), format_recent_claim({uidlist_.uidvalidity, last_claimed}), "imapd-recent");
    } catch (const MailError&) {
        ::unlink(tmp.c_str());
        return false;
    }
    fd.reset();
    if (::rename(tmp.c_str(), target.c_str()) < 0) {
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

void MaildirMailbox::claim_recent(const ScanResult& files, const std::set<std::string>& moved, Uid listed_before) {
    Uid last = messages_.empty() ? 0 : messages_.back().uid;
    // No claim (a maildir whose uidlist another server wrote, e.g. moved
    // from Dovecot; ours get one with the uidlist): the messages it already
    // listed are not recent, except those found in new/ (the maildir
    // convention: cur/ means a mail client has seen it), as Dovecot counts.
    if (!claims_recent_) {
        // EXAMINE, STATUS and delivery show what nobody has claimed yet, and
        // take nothing (Dovecot without MAILBOX_FLAG_DROP_RECENT).
        Uid from = std::max(last, read_recent_claim().value_or(listed_before));
        for (const auto& rec : uidlist_.records)
            if (rec.uid > from) recent_.insert(rec.uid);
        return;
    }
    // The highest new UID whose file exists: from the end, so that an open
    // of N messages looks up one name, not N.
    Uid highest = 0;
    for (auto it = uidlist_.records.rbegin(); it != uidlist_.records.rend() && it->uid > last; ++it)
        if (files.count(it->base)) {
            highest = it->uid;
            break;
        }
    if (highest <= claimed_) return;
    if (auto c = read_recent_claim(); c && (claimed_ = *c) >= highest) return;
    DotLock lock = DotLock::acquire(uidlist_path(), timeouts_);
    std::optional<Uid> claim = read_recent_claim();
    Uid from = claim.value_or(listed_before);
    if (!claim || from < highest) {
        if (!write_recent_claim(std::max(from, highest))) return;  // unwritable: nothing becomes recent rather than twice
        for (const auto& rec : uidlist_.records)
            if ((rec.uid > from && rec.uid <= highest) || (!claim && rec.uid > last && moved.count(rec.base)))
                recent_.insert(rec.uid);
        from = std::max(from, highest);
    }
    claimed_ = from;
}

}  // namespace mail::maildir
