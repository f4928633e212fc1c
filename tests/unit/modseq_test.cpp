// c-client/modseq: the log format, change detection and the shared file.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "modseq/modseq_changes.hpp"
#include "modseq/modseq_file.hpp"
#include "modseq/modseq_log.hpp"
#include "util/error.hpp"

using namespace mail;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/modseq-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A mailbox that is only its index: what ModseqFile looks at.
class FakeMailbox : public Mailbox {
public:
    Uid validity = 7;
    FakeMailbox(size_t n) {
        for (size_t i = 0; i < n; ++i) messages_.push_back(MessageInfo{static_cast<Uid>(i + 1)});
        keywords_ = {"$Work", "Junk"};
    }
    void set(size_t i, uint32_t flags, KeywordMask kw = 0) {
        messages_[i].flags = flags;
        messages_[i].keywords = kw;
    }
    void remove(size_t i) { messages_.erase(messages_.begin() + static_cast<ptrdiff_t>(i)); }
    void add(Uid uid) { messages_.push_back(MessageInfo{uid}); }

    bool read_only() const override { return false; }
    Uid uidvalidity() const override { return validity; }
    Uid uidnext() const override { return messages_.empty() ? 1 : messages_.back().uid + 1; }
    std::optional<size_t> keyword_bit(std::string_view, bool) override { return std::nullopt; }
    MessageContent content(size_t) override { throw MailError(ErrorKind::NotFound, "none"); }
    std::unique_ptr<AppendSink> append(const AppendRequest&) override { return nullptr; }
    void set_flags(size_t i, uint32_t f, KeywordMask k) override { set(i, f, k); }
    void expunge(EventSink&, const std::vector<Uid>*) override {}
    void sync(EventSink&, bool) override {}
};

}  // namespace

TEST_CASE("modseq log lines are read into the state", "[modseq]") {
    struct Case {
        std::string text;
        bool at_start;
        bool damaged;
        size_t consumed;
        uint64_t highest;
        size_t messages, expunged;
    };
    const std::string head = "IMAPD-MODSEQ 1 7 100 90\n";
    const Case cases[] = {
        {head, true, false, head.size(), 100, 0, 0},
        {head + "M 1 101 1\n", true, false, head.size() + 10, 101, 1, 0},
        {head + "M 1 101 1 $Work Junk\nX 2 102\n", true, false, head.size() + 29, 102, 1, 1},
        {head + "M 1 101 1\nM 2 10", true, false, head.size() + 10, 101, 1, 0},  // torn last line
        {head + "M 1 101 1\nbad line\n", true, true, head.size() + 19, 101, 1, 0},
        {head + "M 0 101 1\n", true, true, head.size() + 10, 100, 0, 0},          // UID 0
        {head + "M 1 101 40\n", true, true, head.size() + 11, 100, 0, 0},         // not a storable flag
        {head + "M 1 0 1\n", true, true, head.size() + 8, 100, 0, 0},             // modseq 0
        {head + "M 1  101 1\n", true, true, head.size() + 11, 100, 0, 0},         // two spaces
        {"M 1 5 0\n", true, true, 8, 5, 1, 0},                                    // no header
        {"M 1 5 0\nX 1 6\n", false, false, 14, 6, 0, 1},                          // a tail
        {"IMAPD-MODSEQ 2 7 100 90\n", true, true, 24, 0, 0, 0},                   // other version
        {"", true, false, 0, 0, 0, 0},
    };
    for (const Case& c : cases) {
        ModseqState st;
        LogReadResult r = apply_modseq_log(st, c.text, c.at_start);
        INFO(c.text);
        CHECK(r.damaged == c.damaged);
        CHECK(r.consumed == c.consumed);
        CHECK(st.highest == c.highest);
        CHECK(st.messages.size() == c.messages);
        CHECK(st.expunged.size() == c.expunged);
    }
}

TEST_CASE("a damaged log still tells the largest modseq it shows", "[modseq]") {
    ModseqState st;
    LogReadResult r = apply_modseq_log(st, "IMAPD-MODSEQ 1 7 100 90\nM 1 500 zz\nM 2 300 0\n", true);
    CHECK(r.damaged);
    CHECK(r.max_modseq == 500);
}

TEST_CASE("a compacted file reads back as the same state, with bounded expunges", "[modseq]") {
    ModseqState st;
    st.uidvalidity = 9;
    st.highest = 50;
    st.messages[3] = {40, kSeen | kFlagged, {"$Work", "Junk"}};
    st.messages[8] = {50, 0, {}};
    st.expunged = {{1, 10}, {2, 20}, {4, 45}};
    ModseqState back;
    apply_modseq_log(back, modseq_file_text(st, 100), true);
    CHECK(back == st);

    ModseqState bounded;
    apply_modseq_log(bounded, modseq_file_text(st, 1), true);
    CHECK(bounded.expunged == std::map<Uid, uint64_t>{{4, 45}});
    CHECK(bounded.expunge_floor == 20);  // expunges at or below 20 are forgotten
    CHECK(bounded.messages == st.messages);
}

TEST_CASE("keywords that are not atoms are never written", "[modseq]") {
    CHECK(modseq_keyword_ok("$Work"));
    CHECK_FALSE(modseq_keyword_ok("a b"));
    CHECK_FALSE(modseq_keyword_ok(""));
    CHECK_FALSE(modseq_keyword_ok("a\nM 1 1 0"));
    CHECK(modseq_message_line(5, {3, kSeen, {"ok", "not ok"}}) == "M 5 3 1 ok\n");
}

TEST_CASE("changes are what differs between the log and the mailbox", "[modseq]") {
    ModseqState st;
    st.highest = 10;
    st.messages[1] = {5, kSeen, {}};
    st.messages[2] = {6, 0, {"Junk"}};
    st.messages[4] = {7, 0, {}};
    struct Case {
        std::vector<MessageSnapshot> view;
        std::vector<Uid> changed, expunged;
    };
    const Case cases[] = {
        {{{1, {0, kSeen, {}}}, {2, {0, 0, {"Junk"}}}, {4, {0, 0, {}}}}, {}, {}},
        {{{1, {0, 0, {}}}, {2, {0, 0, {"Junk"}}}, {4, {0, 0, {}}}}, {1}, {}},         // flag removed
        {{{1, {0, kSeen, {}}}, {2, {0, 0, {}}}, {4, {0, 0, {}}}}, {2}, {}},            // keyword removed
        {{{1, {0, kSeen, {}}}, {4, {0, 0, {}}}}, {}, {2}},                             // expunged
        {{{1, {0, kSeen, {}}}, {2, {0, 0, {"Junk"}}}, {4, {0, 0, {}}}, {5, {}}}, {5}, {}},  // new
        {{}, {}, {1, 2, 4}},
    };
    for (const Case& c : cases) {
        ModseqChanges ch = detect_modseq_changes(st, c.view);
        std::vector<Uid> changed;
        for (const auto& m : ch.messages) changed.push_back(m.uid);
        CHECK(changed == c.changed);
        CHECK(ch.expunged == c.expunged);
    }
    ModseqState copy = st;
    ModseqChanges ch = detect_modseq_changes(copy, cases[3].view);
    uint64_t modseq = 0;
    std::string lines = apply_modseq_changes(copy, ch, modseq);
    CHECK(modseq == 11);
    CHECK(lines == "X 2 11\n");
    CHECK(copy.expunged.at(2) == 11);
    CHECK(copy.highest == 11);
}

TEST_CASE("the modseq file is shared by every opener and survives damage", "[modseq]") {
    TempDir t;
    std::string box_path = t.path + "/mail/box";
    FakeMailbox box(3);
    auto a = ModseqFile::open(box_path, "");
    REQUIRE(a);
    uint64_t first;
    {
        auto g = a->lock();
        first = a->sync(box);
    }
    CHECK(first > 1000000);  // from the clock: above anything a lost file gave
    CHECK(a->modseq_of(2) == first);

    // Another process (here: another object) changes flags and expunges.
    auto b = ModseqFile::open(box_path, "");
    uint64_t stored;
    {
        auto g = b->lock();
        CHECK(b->highest() == first);
        box.set(1, kSeen);
        stored = b->record(box, {1});
        box.remove(2);
        b->sync(box);
    }
    CHECK(stored == first + 1);
    {
        auto g = a->lock();
        CHECK(a->modseq_of(2) == stored);
        CHECK(a->highest() == first + 2);
        bool complete = false;
        CHECK(a->expunged_since(first, complete) == std::vector<Uid>{3});
        CHECK(complete);
        CHECK(a->expunged_since(first - 5, complete) == std::vector<Uid>{3});
        CHECK_FALSE(complete);  // older than the file: history unknown
    }

    // A torn last line is dropped; the next record starts on a line of its own.
    { std::ofstream(a->path(), std::ios::app) << "M 9 9"; }
    {
        auto g = a->lock();
        box.set(0, kFlagged);
        a->record(box, {0});
    }
    CHECK(read(a->path()).find("M 9 9") == std::string::npos);

    // Damage: a new state above every modseq the file still shows.
    uint64_t before = a->highest();
    { std::ofstream(a->path(), std::ios::app) << "garbage line\n"; }
    auto c = ModseqFile::open(box_path, "");
    {
        auto g = c->lock();
        c->sync(box);
        CHECK(c->highest() > before);
        CHECK(c->modseq_of(1) > before);
        bool complete = true;
        c->expunged_since(before, complete);
        CHECK_FALSE(complete);
    }

    // A new UIDVALIDITY: every message new, above the old state.
    before = c->highest();
    box.validity = 8;
    {
        auto g = c->lock();
        c->sync(box);
        CHECK(c->state().uidvalidity == 8);
        CHECK(c->modseq_of(1) == before + 1);
    }
}

TEST_CASE("the modseq log is compacted when it grows", "[modseq]") {
    TempDir t;
    FakeMailbox box(100);
    auto f = ModseqFile::open(t.path + "/box", "");
    auto g = f->lock();
    f->sync(box);
    for (int i = 0; i < 5000; ++i) {
        box.set(i % 100, (i & 1) ? uint32_t{kSeen} : 0u);
        f->record(box, {static_cast<size_t>(i % 100)});
    }
    size_t lines = 0;
    for (char ch : read(f->path())) lines += ch == '\n';
    CHECK(lines < 2 * 100 + 4096 + 2);
    ModseqState reread;
    apply_modseq_log(reread, read(f->path()), true);
    CHECK(reread.messages == f->state().messages);
    CHECK(reread.highest == f->highest());
}

TEST_CASE("STORE on a 10,000-message mailbox: cost of a recorded change", "[.modseq-bench]") {
    TempDir t;
    FakeMailbox box(10000);
    auto f = ModseqFile::open(t.path + "/box", "");
    { auto g = f->lock(); f->sync(box); }
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) {
        auto g = f->lock();
        box.set(static_cast<size_t>(i * 7 % 10000), (i & 1) ? uint32_t{kSeen} : 0u);
        f->record(box, {static_cast<size_t>(i * 7 % 10000)});
    }
    auto one = std::chrono::steady_clock::now() - start;
    start = std::chrono::steady_clock::now();
    {
        auto g = f->lock();
        std::vector<size_t> all(10000);
        for (size_t i = 0; i < all.size(); ++i) all[i] = i, box.set(i, kFlagged);
        f->record(box, all);
    }
    auto whole = std::chrono::steady_clock::now() - start;
    start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) { auto g = f->lock(); f->sync(box); }
    auto syncs = std::chrono::steady_clock::now() - start;
    using ms = std::chrono::duration<double, std::milli>;
    WARN("1 message STORE: " << ms(one).count() / 1000 << " ms; STORE 1:10000: " << ms(whole).count()
                             << " ms; sync of 10,000 unchanged: " << ms(syncs).count() / 100 << " ms");
}
