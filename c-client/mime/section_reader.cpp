#include "mime/section_reader.hpp"

#include <algorithm>
#include <strings.h>

namespace mail {

void append_crlf(std::string& out, std::string_view in, bool& prev_cr) {
    size_t start = 0;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\n' && !(i > 0 ? in[i - 1] == '\r' : prev_cr)) {
            out.append(in.data() + start, i - start);
            out += "\r\n";
            start = i + 1;
        }
    }
    out.append(in.data() + start, in.size() - start);
    if (!in.empty()) prev_cr = in.back() == '\r';
}

std::string filter_header_fields(std::string_view header, const std::vector<std::string>& names, bool exclude) {
    std::string picked;
    bool keep = exclude;  // .NOT keeps what precedes the first field too
    size_t pos = 0;
    while (pos < header.size()) {
        size_t lf = header.find('\n', pos);
        size_t end = lf == std::string_view::npos ? header.size() : lf + 1;
        std::string_view line = header.substr(pos, end - pos);
        pos = end;
        if (line == "\n" || line == "\r\n") {  // the blank line
            if (exclude) picked.append(line);
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (keep) picked.append(line);
            continue;
        }
        size_t colon = line.find(':');
        std::string_view name = line.substr(0, colon == std::string_view::npos ? 0 : colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        bool listed = false;
        for (const auto& n : names)
            if (!name.empty() && n.size() == name.size() && strncasecmp(n.data(), name.data(), name.size()) == 0)
                listed = true;
        // HEADER.FIELDS picks fields; .NOT removes them and keeps every other
        // line, a line without a colon too, as BODY[HEADER] has it.
        keep = exclude ? !listed : colon != std::string_view::npos && listed;
        if (keep) picked.append(line);
    }
    if (!exclude) {
        if (!picked.empty() && picked.back() != '\n') picked += '\n';
        picked += '\n';
    }
    std::string out;
    bool prev_cr = false;
    append_crlf(out, picked, prev_cr);
    return out;
}

SectionReader::SectionReader(const MessageContent& content, uint64_t stored_offset, uint64_t stored_length,
                             uint64_t partial_offset, std::optional<uint64_t> partial_length)
    : content_(content), pos_(stored_offset), end_(stored_offset + stored_length), skip_(partial_offset),
      remaining_(partial_length), raw_(64 * 1024) {}

std::string_view SectionReader::next() {
    while (pos_ < end_ && (!remaining_ || *remaining_ > 0)) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(raw_.size(), end_ - pos_));
        size_t got = content_.read(pos_, raw_.data(), want);
        if (got == 0) {
            pos_ = end_;  // truncated under us
            break;
        }
        pos_ += got;
        out_.clear();
        append_crlf(out_, std::string_view(raw_.data(), got), prev_cr_);
        std::string_view view = out_;
        size_t drop = static_cast<size_t>(std::min<uint64_t>(skip_, view.size()));
        view.remove_prefix(drop);
        skip_ -= drop;
        if (remaining_) {
            if (view.size() > *remaining_) view = view.substr(0, static_cast<size_t>(*remaining_));
            *remaining_ -= view.size();
        }
        if (!view.empty()) return view;
    }
    return {};
}

std::string read_section(const MessageContent& content, const SectionRange& range, uint64_t partial_offset,
                         std::optional<uint64_t> partial_length) {
    std::string out;
    if (range.filter) {
        std::string header;
        SectionReader reader(content, range.stored_offset, range.stored_length);
        for (auto chunk = reader.next(); !chunk.empty(); chunk = reader.next()) header.append(chunk);
        std::string all = filter_header_fields(header, range.fields, range.exclude);
        if (partial_offset >= all.size()) return out;
        return all.substr(static_cast<size_t>(partial_offset),
                          partial_length ? static_cast<size_t>(*partial_length) : std::string::npos);
    }
    SectionReader reader(content, range.stored_offset, range.stored_length, partial_offset, partial_length);
    for (auto chunk = reader.next(); !chunk.empty(); chunk = reader.next()) out.append(chunk);
    return out;
}

}  // namespace mail
