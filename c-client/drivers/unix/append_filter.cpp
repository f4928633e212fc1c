#include "drivers/unix/append_filter.hpp"

#include "drivers/unix/status_headers.hpp"

namespace mail::unixmbox {

namespace {
constexpr size_t kDecideBytes = 12;  // enough for "X-IMAPbase:"
}

void AppendFilter::decide(std::string& out) {
    if (start_.rfind("From ", 0) == 0) out += '>';
    else if (in_header_ && hidden_field(start_) != HiddenField::None) out += "X-Original-";
    out += start_;
    start_.clear();
    decided_ = true;
}

void AppendFilter::feed(std::string_view in, std::string& out) {
    for (char c : in) {
        if (pending_cr_) {
            pending_cr_ = false;
            if (c != '\n') {  // a lone CR is kept
                if (decided_) out += '\r';
                else start_ += '\r';
            }
        }
        if (c == '\r') {
            pending_cr_ = true;
            continue;
        }
        if (c == '\n') {
            if (!decided_) decide(out);
            if (line_empty_) in_header_ = false;  // the blank line ends the header
            out += '\n';
            decided_ = false;
            line_empty_ = true;
            continue;
        }
        line_empty_ = false;
        if (decided_) {
            out += c;
        } else {
            start_ += c;
            if (start_.size() >= kDecideBytes || (c == ':' && in_header_)) decide(out);
        }
    }
}

void AppendFilter::finish(std::string& out) {
    if (pending_cr_) {
        pending_cr_ = false;
        if (decided_) out += '\r';
        else start_ += '\r';
    }
    if (!decided_ && !start_.empty()) decide(out);
    if (!line_empty_ || decided_) out += '\n';
    decided_ = false;
    line_empty_ = true;
}

}  // namespace mail::unixmbox
