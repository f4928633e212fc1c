#include "thread/thread.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace mail {

namespace {

// Sent date, then position in the mailbox: RFC 5256's order of siblings.
struct DateOrder {
    int64_t sent = 0;
    size_t position = 0;
    bool operator<(const DateOrder& o) const { return sent != o.sent ? sent < o.sent : position < o.position; }
};

// ---- ORDEREDSUBJECT (RFC 5256 section 3, first algorithm) ----

std::vector<ThreadNode> ordered_subject(const std::vector<ThreadItem>& items) {
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        int c = items[a].keys->subject.compare(items[b].keys->subject);
        if (c != 0) return c < 0;
        return DateOrder{items[a].keys->sent, a} < DateOrder{items[b].keys->sent, b};
    });
    struct Thread {
        DateOrder first;
        ThreadNode node;
    };
    std::vector<Thread> threads;
    for (size_t k = 0; k < order.size(); ++k) {
        size_t i = order[k];
        if (k > 0 && items[i].keys->subject == items[order[k - 1]].keys->subject) {
            threads.back().node.children.push_back(ThreadNode{items[i].number, {}});
            continue;
        }
        threads.push_back({DateOrder{items[i].keys->sent, i}, ThreadNode{items[i].number, {}}});
    }
    std::stable_sort(threads.begin(), threads.end(),
                     [](const Thread& a, const Thread& b) { return a.first < b.first; });
    std::vector<ThreadNode> out;
    out.reserve(threads.size());
    for (Thread& t : threads) out.push_back(std::move(t.node));
    return out;
}

// ---- REFERENCES (RFC 5256 section 3, second algorithm) ----

constexpr int kNone = -1;

struct Container {
    int item = kNone;  // index into items; kNone for a dummy
    int parent = kNone;
    std::vector<int> children;
};

class ReferencesThreader {
public:
    explicit ReferencesThreader(const std::vector<ThreadItem>& items) : items_(items) {}

    std::vector<ThreadNode> run() {
        for (size_t i = 0; i < items_.size(); ++i) link_message(static_cast<int>(i));
        by_id_.clear();  // (3)
        std::vector<int> roots;  // (2)
        for (size_t c = 0; c < containers_.size(); ++c)
            if (containers_[c].parent == kNone) roots.push_back(static_cast<int>(c));
        roots = prune_roots(roots);       // (4)
        roots = gather_by_subject(roots);  // (5)
        for (int r : roots) sort_children(r);  // (6)
        sort_siblings(roots);
        std::vector<ThreadNode> out;
        out.reserve(roots.size());
        for (int r : roots) out.push_back(to_node(r));
        return out;
    }

private:
    int make_container() {
        containers_.emplace_back();
        return static_cast<int>(containers_.size() - 1);
    }

    int container_for_id(std::string_view id) {
        auto [it, added] = by_id_.try_emplace(id, kNone);
        if (added) it->second = make_container();
        return it->second;
    }

    // Whether `a` is `b` or one of its ancestors. A container without
    // children is no one's ancestor: messages that arrive in reply order
    // then cost O(1) here, not the depth of their chain.
    bool is_ancestor_or_self(int a, int b) const {
        if (containers_[a].children.empty()) return a == b;
        for (int c = b; c != kNone; c = containers_[c].parent)
            if (c == a) return true;
        return false;
    }

    void unlink(int child) {
        int p = containers_[child].parent;
        if (p == kNone) return;
        auto& siblings = containers_[p].children;
        siblings.erase(std::find(siblings.begin(), siblings.end(), child));
        containers_[child].parent = kNone;
    }

    void link(int parent, int child) {
        containers_[child].parent = parent;
        containers_[parent].children.push_back(child);
    }

    // (1) A and B.
    void link_message(int i) {
        const SortKeys& k = *items_[i].keys;
        int self = kNone;
        if (!k.message_id.empty()) {
            int c = container_for_id(k.message_id);
            if (containers_[c].item == kNone) self = c;  // else a duplicate Message-ID
        }
        if (self == kNone) self = make_container();
        containers_[self].item = i;

        const std::vector<std::string>& refs = k.references;
        int previous = kNone;
        for (const std::string& ref : refs) {
            int c = container_for_id(ref);
            if (previous != kNone && containers_[c].parent == kNone && !is_ancestor_or_self(c, previous))
                link(previous, c);
            previous = c;
        }
        if (previous != kNone) {
            unlink(self);
            if (!is_ancestor_or_self(self, previous)) link(previous, self);
        }
    }

    // The containers below `root` (itself included), each after all of its
    // descendants: loops instead of recursion, so that a reply chain a
    // million deep does not overflow the stack.
    std::vector<int> descendants_first(int root) const {
        std::vector<int> order, stack{root};
        while (!stack.empty()) {
            int c = stack.back();
            stack.pop_back();
            order.push_back(c);
            for (int child : containers_[c].children) stack.push_back(child);
        }
        std::reverse(order.begin(), order.end());
        return order;
    }

    // (4) below a root: dummies without children go, dummies with children
    // are replaced by them, deepest first.
    void prune_children(int root) {
        for (int c : descendants_first(root)) prune_below(c);
    }
    void prune_below(int c) {
        std::vector<int> kept;
        for (int child : containers_[c].children) {
            Container& ch = containers_[child];
            if (ch.item != kNone) {
                kept.push_back(child);
                continue;
            }
            for (int grandchild : ch.children) {
                containers_[grandchild].parent = c;
                kept.push_back(grandchild);
            }
            ch.children.clear();
        }
        containers_[c].children = std::move(kept);
    }

    // (4) at the root: a dummy's children are promoted only when it has one.
    std::vector<int> prune_roots(const std::vector<int>& roots) {
        std::vector<int> kept;
        for (int r : roots) {
            prune_children(r);
            Container& c = containers_[r];
            if (c.item != kNone || c.children.size() > 1) {
                kept.push_back(r);
            } else if (c.children.size() == 1) {
                int only = c.children.front();
                containers_[only].parent = kNone;
                c.children.clear();
                kept.push_back(only);
            }
        }
        return kept;
    }

    // The message whose subject stands for a thread: the root's, or a
    // dummy root's first child's.
    const SortKeys& subject_keys(int c) const {
        const Container& r = containers_[c];
        int item = r.item != kNone ? r.item : containers_[r.children.front()].item;
        return *items_[item].keys;
    }
    bool is_dummy(int c) const { return containers_[c].item == kNone; }
    bool is_reply(int c) const { return !is_dummy(c) && items_[containers_[c].item].keys->reply_or_forward; }

    // (5) roots with the same base subject gathered into one thread.
    std::vector<int> gather_by_subject(std::vector<int> roots) {
        std::unordered_map<std::string_view, int> table;
        for (int r : roots) {  // B
            const std::string& subject = subject_keys(r).subject;
            if (subject.empty()) continue;
            auto [it, added] = table.try_emplace(subject, r);
            if (added) continue;
            int old = it->second;
            if (!is_dummy(old) && (is_dummy(r) || (is_reply(old) && !is_reply(r)))) it->second = r;
        }
        for (size_t k = 0; k < roots.size(); ++k) {  // C
            int r = roots[k];
            if (r == kNone) continue;
            const std::string& subject = subject_keys(r).subject;
            if (subject.empty()) continue;
            int& entry = table.at(subject);
            int t = entry;
            if (t == r) continue;
            if (is_dummy(t) && is_dummy(r)) {
                for (int child : containers_[r].children) link(t, child);
                containers_[r].children.clear();
            } else if (is_dummy(t) || (is_reply(r) && !is_reply(t))) {
                link(t, r);
            } else {
                int dummy = make_container();
                link(dummy, t);
                link(dummy, r);
                std::replace(roots.begin(), roots.end(), t, dummy);
                entry = dummy;
            }
            roots[k] = kNone;
        }
        std::erase(roots, kNone);
        return roots;
    }

    DateOrder date_of(int c) const {
        const Container& x = containers_[c];
        int item = x.item != kNone ? x.item : containers_[x.children.front()].item;
        return DateOrder{items_[item].keys->sent, static_cast<size_t>(item)};
    }

    // (6) children before parents, so that a dummy's first child is known.
    void sort_children(int root) {
        for (int c : descendants_first(root)) sort_siblings(containers_[c].children);
    }
    void sort_siblings(std::vector<int>& siblings) const {
        std::stable_sort(siblings.begin(), siblings.end(), [&](int a, int b) { return date_of(a) < date_of(b); });
    }

    // Top down without recursion; each node's children are sized once, so
    // the pointers kept to them stay valid.
    ThreadNode to_node(int root) const {
        ThreadNode out;
        std::vector<std::pair<int, ThreadNode*>> stack{{root, &out}};
        while (!stack.empty()) {
            auto [c, node] = stack.back();
            stack.pop_back();
            const Container& x = containers_[c];
            node->number = x.item != kNone ? items_[x.item].number : 0;
            node->children.resize(x.children.size());
            for (size_t k = 0; k < x.children.size(); ++k) stack.push_back({x.children[k], &node->children[k]});
        }
        return out;
    }

    const std::vector<ThreadItem>& items_;
    std::vector<Container> containers_;
    std::unordered_map<std::string_view, int> by_id_;
};

// With a stack of what is still to write instead of recursion: threads may
// be a million levels deep. A child is written as "(" child ")".
void format_node(const ThreadNode& n, std::string& out) {
    struct Step {
        const ThreadNode* node;  // nullptr: the ")" after a child
        bool child;              // "(" first
    };
    std::vector<Step> todo{{&n, false}};
    while (!todo.empty()) {
        Step step = todo.back();
        todo.pop_back();
        if (!step.node) {
            out += ')';
            continue;
        }
        if (step.child) out += '(';
        const ThreadNode* node = step.node;
        for (;;) {  // a chain of single replies: "1 2 3"
            if (node->number) out += std::to_string(node->number);
            if (node->number && node->children.size() == 1) {
                out += ' ';
                node = &node->children.front();
                continue;
            }
            break;
        }
        if (node->children.empty()) continue;
        if (node->number) out += ' ';
        for (size_t k = node->children.size(); k-- > 0;) {  // last pushed first
            todo.push_back({nullptr, false});
            todo.push_back({&node->children[k], true});
        }
    }
}

}  // namespace

ThreadNode::~ThreadNode() {
    // Descendants are moved into one flat list and freed from there, each
    // with no children left of its own.
    std::vector<ThreadNode> pending = std::move(children);
    while (!pending.empty()) {
        ThreadNode last = std::move(pending.back());
        pending.pop_back();
        for (ThreadNode& child : last.children) pending.push_back(std::move(child));
        last.children.clear();
    }
}

std::optional<ThreadAlgorithm> thread_algorithm_named(std::string_view name) {
    if (name == "ORDEREDSUBJECT") return ThreadAlgorithm::OrderedSubject;
    if (name == "REFERENCES") return ThreadAlgorithm::References;
    return std::nullopt;
}

std::vector<ThreadNode> thread_messages(ThreadAlgorithm algorithm, const std::vector<ThreadItem>& items) {
    if (algorithm == ThreadAlgorithm::OrderedSubject) return ordered_subject(items);
    return ReferencesThreader(items).run();
}

std::string format_threads(const std::vector<ThreadNode>& threads) {
    std::string out;
    for (const ThreadNode& t : threads) {
        out += '(';
        format_node(t, out);
        out += ')';
    }
    return out;
}

}  // namespace mail
