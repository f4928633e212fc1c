// The mbx open index: its format, and the rules that decide when an open may
// take messages and flags from it instead of the mbx file.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/mbx/driver.hpp"
#include "drivers/mbx/mbx_mailbox.hpp"
#include "drivers/mbx/open_index.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

using namespace mail;
using namespace mail::mbx;
namespace fs = std::filesystem;

namespace {

struct TempBox {
    fs::path dir, path;
    TempBox() {
        char tmpl[] = "/tmp/mbxopen-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir / "box";
        MbxDriver().create(path.string());
    }
    ~TempBox() { fs::remove_all(dir); }
    std::string str() const { return path.string(); }
    std::string index() const { return index_file_path(str(), "", "mbx-index"); }
};

std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const std::string& p, const std::string& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << b;
}

Uid append(Mailbox& box, const std::string& text, uint32_t flags = 0) {
    AppendRequest req;
    req.flags = flags;
    req.internal_date = 1000000000;
    auto sink = box.append(req);
    sink->write(text);
    return sink->commit();
}

// An mtime 10 s in the past with nanoseconds (the clock's: never one the
// file had before): a settled file.
void settle(const fs::path& p) {
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME, &now);
    struct timespec times[2] = {{0, UTIME_OMIT}, {now.tv_sec - 10, now.tv_nsec | 1}};
    REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0);
}

// A box of three messages, settled, whose open index has been written.
void three_messages(TempBox& t) {
    {
        MbxMailbox box(t.str(), OpenMode::ReadWrite, {.index_dir = "", .use_index = false});
        append(box, "Subject: one\r\n\r\nbody one\r\n");
        append(box, "Subject: two\r\n\r\nbody two\r\n", kSeen);
        append(box, "Subject: three\r\n\r\nbody three\r\n");
    }
    {
        MbxMailbox box(t.str(), OpenMode::ReadWrite, {.index_dir = "", .use_index = false});  // takes \Recent: fOLD
    }
    settle(t.path);
    MbxMailbox box(t.str(), OpenMode::ReadWrite);
    REQUIRE(fs::exists(t.index()));
    REQUIRE(parse_open_index(slurp(t.index()))->stamp.settled);
}

OpenIndex sample() {
    OpenIndex idx;
    idx.stamp = {1, 2, 2048 + 200, 5, 77, 9, true, false};
    idx.records.push_back({2048, 52, 40, 1000, 60, 3, 1, kSeen});
    idx.records.push_back({2048 + 100, 53, 20, 2000, -300, 9, 0, kFlagged | kDeleted});
    return idx;
}

}  // namespace

TEST_CASE("mbx open index: round trip and rejection of damaged or inconsistent files", "[mbxopen]") {
    const std::string good = encode_open_index(sample());
    auto back = parse_open_index(good);
    REQUIRE(back);
    CHECK(back->stamp == sample().stamp);
    CHECK(back->records == sample().records);

    struct Case {
        const char* what;
        std::string bytes;
    };
    auto with = [](auto change) {
        OpenIndex idx = sample();
        change(idx);
        return encode_open_index(idx);
    };
    std::string flipped = good;
    flipped[good.size() - 3] ^= 1;
    const Case bad[] = {
        {"empty", ""},
        {"truncated", good.substr(0, good.size() - 1)},
        {"a byte flipped", flipped},
        {"another magic", "X" + good.substr(1)},
        {"offsets out of order", with([](OpenIndex& i) { std::swap(i.records[0].offset, i.records[1].offset); })},
        {"UIDs not rising", with([](OpenIndex& i) { i.records[1].uid = 3; })},
        {"a message past covered", with([](OpenIndex& i) { i.records[1].size = 1000; })},
        {"a message in the header", with([](OpenIndex& i) { i.records[0].offset = 100; })},
        {"a UID above UIDLAST", with([](OpenIndex& i) { i.stamp.last_uid = 5; })},
        {"\\Recent stored", with([](OpenIndex& i) { i.records[0].flags |= kRecent; })},
    };
    for (const Case& c : bad) {
        INFO(c.what);
        CHECK_FALSE(parse_open_index(c.bytes));
    }
}

TEST_CASE("mbx open index: a settled, unchanged file is opened from the index", "[mbxopen]") {
    TempBox t;
    three_messages(t);
    // Proof that the flags come from the index: change them there only.
    OpenIndex idx = *parse_open_index(slurp(t.index()));
    idx.records[0].flags = kAnswered;
    spit(t.index(), encode_open_index(idx));
    MbxMailbox box(t.str(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 3);
    CHECK(box.messages()[0].flags == kAnswered);
    CHECK(box.messages()[1].flags == kSeen);
    CHECK(box.messages()[2].uid == 3);
    CHECK(box.messages()[2].size == std::string("Subject: three\r\n\r\nbody three\r\n").size());
}

TEST_CASE("mbx open index: UW's in-place flag change (mtime in whole seconds) is seen", "[mbxopen]") {
    TempBox t;
    three_messages(t);
    // mbx_flag: the 21 status bytes rewritten, then utime() with whole seconds.
    const uint64_t line_end = [&] {
        MbxMailbox box(t.str(), OpenMode::ReadOnly);
        return box.slot(2).end();
    }();
    {
        int fd = ::open(t.str().c_str(), O_WRONLY);
        REQUIRE(fd >= 0);
        std::string status = format_status(0, fFLAGGED | fOLD, 3);
        REQUIRE(::pwrite(fd, status.data(), status.size(), static_cast<off_t>(line_end - kStatusFromLineEnd)) ==
                static_cast<ssize_t>(status.size()));
        ::close(fd);
        struct timespec now;
        ::clock_gettime(CLOCK_REALTIME, &now);
        struct timespec times[2] = {{0, UTIME_OMIT}, {now.tv_sec, 0}};
        REQUIRE(::utimensat(AT_FDCWD, t.str().c_str(), times, 0) == 0);
    }
    MbxMailbox box(t.str(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 3);
    CHECK(box.messages()[2].flags == kFlagged);
    CHECK(box.messages()[1].flags == kSeen);
    // Written again, but not settled: an mtime of whole seconds needs 2 s.
    CHECK_FALSE(parse_open_index(slurp(t.index()))->stamp.settled);
}

TEST_CASE("mbx open index: another process's append is seen as a tail", "[mbxopen]") {
    TempBox t;
    three_messages(t);
    {
        MbxMailbox other(t.str(), OpenMode::Deliver, {.index_dir = "", .use_index = false});
        CHECK(append(other, "Subject: four\r\n\r\nbody four\r\n", kFlagged) == 4);
    }
    MbxMailbox box(t.str(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 4);
    CHECK(box.messages()[3].uid == 4);
    CHECK(box.messages()[3].flags == (kFlagged | kRecent));
    CHECK(box.messages()[0].flags == 0);
}

TEST_CASE("mbx open index: a compaction by another process drops the index", "[mbxopen]") {
    TempBox t;
    three_messages(t);
    {
        MbxMailbox other(t.str(), OpenMode::ReadWrite, {.index_dir = "", .use_index = false});
        other.set_flags(0, kDeleted, 0);
        other.flush();
        NullEventSink sink;
        other.expunge(sink);
        append(other, "Subject: four, longer than the one expunged\r\n\r\nbody four\r\n");
    }
    MbxMailbox box(t.str(), OpenMode::ReadWrite);
    REQUIRE(box.count() == 3);
    CHECK(box.messages()[0].uid == 2);
    CHECK(box.messages()[0].flags == kSeen);
    CHECK(box.messages()[2].uid == 4);
}

TEST_CASE("mbx open index: a damaged or foreign index is ignored and rewritten", "[mbxopen]") {
    const char* damage[] = {"garbage", "", "MBXIDX"};
    for (const char* d : damage) {
        TempBox t;
        three_messages(t);
        spit(t.index(), d);
        {
            MbxMailbox box(t.str(), OpenMode::ReadWrite);
            REQUIRE(box.count() == 3);
            CHECK(box.messages()[1].flags == kSeen);
        }
        auto idx = parse_open_index(slurp(t.index()));
        REQUIRE(idx);
        CHECK(idx->records.size() == 3);
    }
    // An index of another file (another inode) is not used.
    TempBox a, b;
    three_messages(a);
    three_messages(b);
    fs::copy_file(a.index(), b.index(), fs::copy_options::overwrite_existing);
    MbxMailbox box(b.str(), OpenMode::ReadWrite);
    CHECK(box.count() == 3);
    struct stat st;
    REQUIRE(::stat(b.str().c_str(), &st) == 0);
    CHECK(parse_open_index(slurp(b.index()))->stamp.ino == static_cast<uint64_t>(st.st_ino));
}

TEST_CASE("mbx open index: our own STOREs are written back at close", "[mbxopen]") {
    TempBox t;
    three_messages(t);
    {
        MbxMailbox box(t.str(), OpenMode::ReadWrite);
        box.set_flags(2, kDraft, 0);
        box.flush();
        settle(t.path);  // as if the session lasted past the clock tick
        NullEventSink sink;
        box.sync(sink, true);
    }
    auto idx = parse_open_index(slurp(t.index()));
    REQUIRE(idx);
    CHECK(idx->records[2].flags == kDraft);
    MbxMailbox box(t.str(), OpenMode::ReadOnly);
    CHECK(box.messages()[2].flags == kDraft);
}
