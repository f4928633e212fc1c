// Case-insensitive substring search over a stream of UTF-8 text: Unicode
// simple case folding (through the C.UTF-8 locale's case tables, so Latin,
// Greek, Cyrillic and the rest fold as Unicode says), several needles in one
// pass, matches found across chunk boundaries, memory bounded by the
// longest needle.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mail {

// Appends `utf8` (valid UTF-8, whole characters) to `out` case-folded.
void fold_case(std::string_view utf8, std::string& out);
std::string fold_case(std::string_view utf8);

class TextMatcher {
public:
    // Needles are given as the client sent them (UTF-8); they are folded
    // here. An empty needle is found at once.
    explicit TextMatcher(const std::vector<std::string>& needles);

    // The next piece of text (valid UTF-8, whole characters).
    void feed(std::string_view utf8);
    // What follows is not contiguous with what came before (another part,
    // another header field): no match may span the break.
    void boundary() { tail_.clear(); }

    bool found(size_t i) const { return found_[i]; }
    bool all_found() const { return remaining_ == 0; }
    size_t size() const { return needles_.size(); }

private:
    std::vector<std::string> needles_;  // folded
    std::vector<bool> found_;
    size_t remaining_ = 0;
    size_t longest_ = 0;
    std::string tail_;    // the last longest_-1 folded bytes
    std::string buffer_;  // tail_ + the folded chunk
};

}  // namespace mail
