#include "message/header.hpp"

namespace mail {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

// Splits off the first line of `s` (without its LF, with any CR kept).
std::string_view take_line(std::string_view& s) {
    std::size_t lf = s.find('\n');
    std::string_view line = s.substr(0, lf);
    s.remove_prefix(lf == std::string_view::npos ? s.size() : lf + 1);
    return line;
}

bool is_blank_line(std::string_view line) { return line.empty() || line == "\r"; }

}  // namespace

std::optional<HeaderField> HeaderParser::next() {
    while (!done_ && !rest_.empty()) {
        const char* start = rest_.data();
        std::string_view line = take_line(rest_);
        if (is_blank_line(line)) {
            done_ = true;
            break;
        }
        // Continuation lines belong to the field before; here they follow a
        // line we skipped, so skip them too.
        if (is_wsp(line[0])) continue;
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        // The field extends over the continuation lines that follow.
        const char* end = line.data() + line.size();
        while (!rest_.empty() && is_wsp(rest_[0])) {
            std::string_view cont = take_line(rest_);
            end = cont.data() + cont.size();
        }
        HeaderField f;
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
        f.name = name;
        const char* value = start + colon + 1;
        std::size_t len = std::size_t(end - value);
        if (len > 0 && value[len - 1] == '\r') --len;
        f.raw_value = std::string_view(value, len);
        return f;
    }
    return std::nullopt;
}

std::string unfold_header_value(std::string_view raw) {
    std::size_t i = 0;
    while (i < raw.size() && is_wsp(raw[i])) ++i;
    std::string out;
    out.reserve(raw.size() - i);
    for (; i < raw.size(); ++i) {
        char c = raw[i];
        // A CR is part of a line break only before LF; keep other CRs.
        if (c == '\n' || (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')) continue;
        out += c;
    }
    return out;
}

std::string searchable_header_value(std::string_view raw) {
    std::string out;
    std::size_t i = 0;
    while (i < raw.size() && is_wsp(raw[i])) ++i;
    for (; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
        if (c == '\n') {
            if (i + 1 < raw.size() && raw[i + 1] == '\t') {
                out += ' ';
                ++i;
            }
            continue;
        }
        out += c;
    }
    return out;
}

std::string HeaderField::unfolded() const { return unfold_header_value(raw_value); }

std::vector<HeaderField> header_fields(std::string_view header) {
    std::vector<HeaderField> out;
    HeaderParser p(header);
    while (auto f = p.next()) out.push_back(*f);
    return out;
}

bool header_name_equals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

std::optional<HeaderField> find_header_field(std::string_view header, std::string_view name) {
    HeaderParser p(header);
    while (auto f = p.next())
        if (header_name_equals(f->name, name)) return f;
    return std::nullopt;
}

std::optional<std::size_t> find_header_end(std::string_view message) {
    std::size_t pos = 0;
    while (pos < message.size()) {
        std::size_t lf = message.find('\n', pos);
        if (lf == std::string_view::npos) return std::nullopt;
        std::string_view line = message.substr(pos, lf - pos);
        if (is_blank_line(line)) return lf + 1;
        pos = lf + 1;
    }
    return std::nullopt;
}

}  // namespace mail
