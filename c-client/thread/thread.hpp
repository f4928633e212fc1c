// THREAD (RFC 5256 section 3): ORDEREDSUBJECT and REFERENCES over messages
// whose SortKeys are known, and the response's thread-list text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sort/sort_keys.hpp"

namespace mail {

enum class ThreadAlgorithm { OrderedSubject, References };

// The algorithm named `name` (upper case), if supported.
std::optional<ThreadAlgorithm> thread_algorithm_named(std::string_view name);

// One message to be threaded: the number reported for it (a sequence
// number or UID) and its keys.
struct ThreadItem {
    uint32_t number = 0;
    const SortKeys* keys = nullptr;
};

// A node of the result: a message (number != 0) or a dummy parent (0).
// Destroyed without recursion, since a reply chain may be a million deep.
struct ThreadNode {
    uint32_t number = 0;
    std::vector<ThreadNode> children;

    ThreadNode(uint32_t n = 0, std::vector<ThreadNode> c = {}) : number(n), children(std::move(c)) {}
    ThreadNode(const ThreadNode&) = default;
    ThreadNode(ThreadNode&&) noexcept = default;
    ThreadNode& operator=(const ThreadNode&) = default;
    ThreadNode& operator=(ThreadNode&&) noexcept = default;
    ~ThreadNode();
    bool operator==(const ThreadNode&) const = default;
};

// The threads, in order. `items` must be in sequence order (ties between
// equal sent dates are broken by their position).
std::vector<ThreadNode> thread_messages(ThreadAlgorithm algorithm, const std::vector<ThreadItem>& items);

// The text after "* THREAD", e.g. " (3 6 (4 23)(44 7 96))" (each thread
// preceded by nothing: "(1)(2 3)"); empty for no threads.
std::string format_threads(const std::vector<ThreadNode>& threads);

}  // namespace mail
