// Robustness of THREAD REFERENCES over deep reply graphs: building, pruning,
// sorting, formatting and freeing the threads must not recurse per level
// (a million-deep chain overflowed the stack) nor walk the chain per message.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "thread/thread.hpp"

using namespace mail;

namespace {

// Message i (1-based) has id "m<i>" and replies to `parent(i)` (0: none).
template <typename Parent>
std::string thread_graph(size_t count, Parent parent) {
    std::vector<SortKeys> keys(count);
    std::vector<ThreadItem> items(count);
    for (size_t i = 1; i <= count; ++i) {
        SortKeys& k = keys[i - 1];
        k.sent = static_cast<int64_t>(i);
        k.message_id = "m" + std::to_string(i);
        if (size_t p = parent(i)) k.references.push_back("m" + std::to_string(p));
        items[i - 1] = {static_cast<uint32_t>(i), &k};
    }
    return format_threads(thread_messages(ThreadAlgorithm::References, items));
}

}  // namespace

TEST_CASE("THREAD REFERENCES of small graphs, formatted without recursion", "[qa]") {
    struct Case {
        std::vector<size_t> parents;  // parent of message i+1
        std::string expected;
    };
    const Case cases[] = {
        {{0, 1, 2, 3}, "(1 2 3 4)"},
        {{0, 1, 1, 2, 2}, "(1 (2 (4)(5))(3))"},
        {{0, 0, 1, 2}, "(1 3)(2 4)"},
        {{0, 1, 2, 2, 4, 4}, "(1 2 (3)(4 (5)(6)))"},
        {{0, 1, 0, 3, 1}, "(1 (2)(5))(3 4)"},
    };
    for (const auto& c : cases) {
        std::string got = thread_graph(c.parents.size(), [&](size_t i) { return c.parents[i - 1]; });
        CHECK(got == c.expected);
    }
}

TEST_CASE("THREAD REFERENCES of a 1,000,000-deep reply chain", "[qa]") {
    const size_t n = 1000000;
    auto start = std::chrono::steady_clock::now();
    std::string got = thread_graph(n, [](size_t i) { return i - 1; });
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(got.substr(0, 8) == "(1 2 3 4");
    CHECK(got.substr(got.size() - 16) == " 999999 1000000)");
    CHECK(seconds < 60);  // linear: quadratic ancestor walks took hours
}

TEST_CASE("THREAD REFERENCES of a deep chain where every level also has a leaf", "[qa]") {
    // Odd messages form the chain, each even message replies to the odd one
    // before it: every level has two children, so nothing is a plain chain.
    const size_t n = 400000;
    std::string got = thread_graph(n, [](size_t i) { return i == 1 ? 0 : (i % 2 ? i - 2 : i - 1); });
    CHECK(got.substr(0, 16) == "(1 (2)(3 (4)(5 (");
    CHECK(got.substr(got.size() - (n / 2 - 1) - 15) == "(399999 400000)" + std::string(n / 2 - 1, ')'));
}
