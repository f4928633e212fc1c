// Fuzzes THREAD (both algorithms) over random reference graphs: each input
// line is one message, "ID REF REF ..." (space-separated tokens; the first
// byte of the line also picks its subject and date from small sets so that
// subjects collide and dates tie). Every message appears exactly once in
// the threads, and formatting them never fails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "thread/thread.hpp"

namespace {

void count_numbers(const mail::ThreadNode& root, std::vector<int>& seen) {
    std::vector<const mail::ThreadNode*> stack{&root};
    while (!stack.empty()) {
        const mail::ThreadNode* n = stack.back();
        stack.pop_back();
        if (n->number != 0) {
            if (n->number > seen.size()) __builtin_trap();
            ++seen[n->number - 1];
        } else if (n->children.empty()) {
            __builtin_trap();  // a dummy without children should have been pruned
        }
        for (const auto& c : n->children) stack.push_back(&c);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    static const char* const kSubjects[] = {"", "a", "b", "c"};
    std::vector<mail::SortKeys> keys;
    while (!in.empty() && keys.size() < 1000) {
        size_t nl = in.find('\n');
        std::string_view line = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
        mail::SortKeys k;
        unsigned char first = line.empty() ? 0 : static_cast<unsigned char>(line[0]);
        k.subject = kSubjects[first & 3];
        k.reply_or_forward = first & 4;
        k.sent = (first >> 3) & 3;
        bool is_id = true;
        while (!line.empty()) {
            size_t sp = line.find(' ');
            std::string_view token = line.substr(0, sp);
            line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
            if (is_id) {
                k.message_id = std::string(token.empty() ? token : token.substr(1));
                is_id = false;
            } else if (!token.empty()) {
                k.references.emplace_back(token);
            }
        }
        keys.push_back(std::move(k));
    }
    std::vector<mail::ThreadItem> items;
    for (size_t i = 0; i < keys.size(); ++i) items.push_back({static_cast<uint32_t>(i + 1), &keys[i]});
    for (auto algorithm : {mail::ThreadAlgorithm::OrderedSubject, mail::ThreadAlgorithm::References}) {
        std::vector<mail::ThreadNode> threads = mail::thread_messages(algorithm, items);
        std::vector<int> seen(items.size());
        for (const auto& t : threads) count_numbers(t, seen);
        for (int n : seen)
            if (n != 1) __builtin_trap();
        mail::format_threads(threads);
    }
    return 0;
}
