// mail::search() over a small in-memory mailbox: every RFC 3501 key, the
// programs parsed by imapd's parser, encoded bodies and headers, a needle
// across the 64 KB read chunks, and a message removed under the search.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/search_program.hpp"
#include "search/search.hpp"
#include "util/error.hpp"

using namespace mail;

namespace {

struct FakeMessage {
    std::string text;
    uint32_t flags = 0;
    KeywordMask keywords = 0;
    int64_t date = 0;  // internal date, UTC seconds
    int32_t zone = 0;
};

// A read-only mailbox whose messages live in one memfd; UIDs 10, 20, 30...
class FakeMailbox : public Mailbox {
public:
    FakeMailbox(const std::vector<FakeMessage>& msgs, std::vector<std::string> keywords) {
        fd_ = std::make_shared<const UniqueFd>(::memfd_create("search-test", 0));
        uint64_t offset = 0;
        for (size_t i = 0; i < msgs.size(); ++i) {
            const FakeMessage& m = msgs[i];
            REQUIRE(::pwrite(fd_->get(), m.text.data(), m.text.size(), static_cast<off_t>(offset)) ==
                    static_cast<ssize_t>(m.text.size()));
            ranges_.push_back({offset, m.text.size()});
            offset += m.text.size();
            MessageInfo info;
            info.uid = static_cast<Uid>(10 * (i + 1));
            info.flags = m.flags;
            info.keywords = m.keywords;
            info.internal_date = m.date;
            info.zone_minutes = m.zone;
            info.size = m.text.size();
            messages_.push_back(info);
        }
        keywords_ = std::move(keywords);
    }
    bool read_only() const override { return true; }
    Uid uidvalidity() const override { return 1; }
    Uid uidnext() const override { return static_cast<Uid>(10 * count() + 10); }
    std::optional<size_t> keyword_bit(std::string_view name, bool) override {
        for (size_t i = 0; i < keywords_.size(); ++i)
            if (keywords_[i] == name) return i;
        return std::nullopt;
    }
    MessageContent content(size_t index) override {
        if (gone_ == index) throw MailError(ErrorKind::NotFound, "The message has been removed");
        return MessageContent(fd_, {ranges_.at(index)});
    }
    std::unique_ptr<AppendSink> append(const AppendRequest&) override { return nullptr; }
    void set_flags(size_t, uint32_t, KeywordMask) override {}
    void expunge(EventSink&, const std::vector<Uid>*) override {}
    void sync(EventSink&, bool) override {}

    size_t gone_ = SIZE_MAX;  // content() of this index fails as if deleted

private:
    std::shared_ptr<const UniqueFd> fd_;
    std::vector<FileRange> ranges_;
};

std::string lit(const std::string& s) { return "{" + std::to_string(s.size()) + "}\r\n" + s; }

// 2024-01-02 04:30 UTC (2024-01-01 23:30 -0500).
constexpr int64_t kJan2 = 1704169800;
constexpr int64_t kDay = 86400;

std::vector<FakeMessage> messages() {
    std::string big_body(200000, 'x');
    // A needle that straddles the first 64 KB read of the message.
    std::string big_header = "From: big@example.org\nSubject: big\n\n";
    big_body.replace(65536 - big_header.size() - 4, 14, "chunkstraddler");
    return {
        // 1: plain ASCII
        {"From: Alice Example <alice@example.org>\n"
         "To: bob@example.com\n"
         "Subject: Hello World\n"
         "Date: Mon, 1 Jan 2024 23:30:00 -0500\n"
         "\n"
         "The quick brown fox\njumps over the lazy dog\n",
         kSeen, 0, kJan2, -300},
        // 2: quoted-printable ISO-8859-1 body, RFC 2047 subject
        {"From: =?ISO-8859-1?Q?J=F6rg?= <joerg@example.de>\n"
         "To: alice@example.org\n"
         "Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=\n"
         "Date: Tue, 2 Jan 2024 10:00:00 +0100\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=iso-8859-1\n"
         "Content-Transfer-Encoding: quoted-printable\n"
         "\n"
         "Gr=FC=DFe aus M=FC=\nnchen\n",
         kFlagged | kAnswered, 1u << 1, kJan2 + kDay, 60},
        // 3: multipart: base64 UTF-8 text, an attachment that is not searched
        {"From: ivan@example.ru\n"
         "To: alice@example.org\n"
         "Cc: =?UTF-8?B?0JjQstCw0L0=?= <ivan@example.ru>\n"
         "Subject: multipart\n"
         "Date: Wed, 3 Jan 2024 12:00:00 +0000\n"
         "Content-Type: multipart/mixed; boundary=b1\n"
         "\n"
         "--b1\n"
         "Content-Type: text/plain; charset=utf-8\n"
         "Content-Transfer-Encoding: base64\n"
         "\n"
         "0J/RgNC40LLQtdGCLCDQnNC40YAhIM6jzorOo86lzqbOn86j\n"
         "--b1\n"
         "Content-Type: application/octet-stream\n"
         "Content-Disposition: attachment; filename=secret.bin\n"
         "\n"
         "attachedsecret\n"
         "--b1--\n",
         kDeleted | kRecent, 0, kJan2 + 2 * kDay, 0},
        // 4: KOI8-R 8bit body, no Date:, Bcc, X-Spam
        {"From: carol@example.net\n"
         "Bcc: hidden@example.net\n"
         "X-Spam: yes\n"
         "Subject: koi8\n"
         "Content-Type: text/plain; charset=koi8-r\n"
         "Content-Transfer-Encoding: 8bit\n"
         "\n"
         "\xF0\xD2\xC9\xD7\xC5\xD4 \xED\xC9\xD2\n",
         kDraft | kRecent | kSeen, 1u << 0, kJan2 + 3 * kDay, 0},
        // 5: large body
        {big_header + big_body, 0, 0, kJan2 + 10 * kDay, 0},
    };
}

std::vector<size_t> run(FakeMailbox& mb, const std::string& program, const SearchOptions& opt = {}) {
    mail::imapd::ArgReader args(program);
    auto parsed = mail::imapd::parse_search(args);
    std::vector<size_t> seqs;
    for (size_t i : search(mb, parsed.root, opt)) seqs.push_back(i + 1);
    return seqs;
}

using V = std::vector<size_t>;

}  // namespace

TEST_CASE("search keys over a mailbox", "[search]") {
    FakeMailbox mb(messages(), {"$Junk", "$Work"});
    struct Case {
        std::string program;
        V expected;
    } cases[] = {
        {"ALL", {1, 2, 3, 4, 5}},
        {"SEEN", {1, 4}},
        {"UNSEEN", {2, 3, 5}},
        {"ANSWERED", {2}},
        {"UNANSWERED", {1, 3, 4, 5}},
        {"FLAGGED", {2}},
        {"UNFLAGGED", {1, 3, 4, 5}},
        {"DELETED", {3}},
        {"UNDELETED", {1, 2, 4, 5}},
        {"DRAFT", {4}},
        {"UNDRAFT", {1, 2, 3, 5}},
        {"RECENT", {3, 4}},
        {"NEW", {3}},
        {"OLD", {1, 2, 5}},
        {"KEYWORD $Work", {2}},
        {"KEYWORD $Junk", {4}},
        {"KEYWORD $Nothing", {}},
        {"UNKEYWORD $Work", {1, 3, 4, 5}},
        {"UNKEYWORD $Nothing", {1, 2, 3, 4, 5}},
        {"2:3", {2, 3}},
        {"4:*", {4, 5}},
        {"*", {5}},
        {"1,3,9", {1, 3}},
        {"UID 20:30", {2, 3}},
        {"UID *", {5}},
        {"UID 60:*", {5}},  // *:60 holds the largest UID
        {"UID 15", {}},
        {"LARGER 1000", {5}},
        {"SMALLER 161", {4}},  // message 1 is 163 bytes, 4 is 160
        // Internal dates by their own zone's day: message 1 is 1-Jan in -0500.
        {"ON 1-Jan-2024", {1}},
        {"ON 2-Jan-2024", {}},
        {"ON 3-Jan-2024", {2}},
        {"BEFORE 3-Jan-2024", {1}},
        {"SINCE 4-Jan-2024", {3, 4, 5}},
        {"SINCE 5-Jan-2024 BEFORE 6-Jan-2024", {4}},
        // Sent dates by the Date: field's own day; no Date: is 1-Jan-1970.
        {"SENTON 1-Jan-2024", {1}},
        {"SENTON 2-Jan-2024", {2}},
        {"SENTBEFORE 3-Jan-2024", {1, 2, 4, 5}},
        {"SENTSINCE 3-Jan-2024", {3}},
        {"SENTON 1-Jan-1970", {4, 5}},
        {"SENTSINCE 2-Jan-1970", {1, 2, 3}},
        // Header keys: unfolded, RFC 2047 decoded, case-insensitive.
        {"FROM alice", {1}},
        {"FROM \"Alice Example\"", {1}},
        {"FROM " + lit("jörg"), {2}},
        {"FROM JOERG@", {2}},
        {"TO alice@example.org", {2, 3}},
        {"CC " + lit("иван"), {3}},
        {"BCC hidden", {4}},
        {"SUBJECT " + lit("CAFÉ CRÈME"), {2}},
        {"SUBJECT hello", {1}},
        {"SUBJECT \"\"", {1, 2, 3, 4, 5}},
        {"HEADER X-Spam yes", {4}},
        {"HEADER X-Spam \"\"", {4}},
        {"HEADER Content-Type multipart", {3}},
        {"HEADER x-none \"\"", {}},
        // Bodies: decoded, charset-converted, folded; attachments skipped.
        {"BODY \"QUICK brown\"", {1}},
        {"BODY " + lit("grüsse"), {}},  // simple folding: ß is not ss
        {"BODY " + lit("GRÜßE AUS MÜNCHEN"), {2}},
        {"BODY " + lit("привет, мир"), {3}},
        {"BODY " + lit("σίσυφος"), {3}},
        {"BODY " + lit("ПРИВЕТ мир"), {4}},
        {"BODY attachedsecret", {}},
        {"BODY hello", {}},  // header only
        {"BODY chunkstraddler", {5}},
        {"BODY xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", {5}},
        {"TEXT hello", {1}},
        {"TEXT \"subject: hello\"", {1}},
        {"TEXT lazy", {1}},
        {"TEXT secret.bin", {3}},  // a part's MIME header is text too
        {"TEXT chunkstraddler", {5}},
        // Combinations.
        {"OR SEEN FLAGGED", {1, 2, 4}},
        {"NOT SEEN", {2, 3, 5}},
        {"(SEEN RECENT) OR 1 5", {}},
        {"(OR 1 5) (OR BODY quick BODY chunkstraddler)", {1, 5}},
        {"OR BODY nothing-here SUBJECT koi8", {4}},
        {"NOT BODY fox", {2, 3, 4, 5}},
        {"UNDELETED NOT (FROM alice OR SMALLER 10 TEXT lazy)", {2, 4, 5}},
    };
    for (const auto& c : cases) {
        INFO(c.program);
        CHECK(run(mb, c.program) == c.expected);
    }
}

TEST_CASE("OLDER and YOUNGER count from now", "[search]") {
    FakeMailbox mb(messages(), {});
    SearchOptions opt;
    opt.now = kJan2 + 10 * kDay;  // message 5's internal date
    CHECK(run(mb, "YOUNGER 0", opt) == V{5});
    CHECK(run(mb, "YOUNGER 604800", opt) == V{4, 5});
    CHECK(run(mb, "OLDER 604801", opt) == V{1, 2, 3});  // 4 is exactly 7 days old
    CHECK(run(mb, "OLDER 0", opt) == V{1, 2, 3, 4, 5});
}

TEST_CASE("saved result, unsupported keys, bad strings, vanished messages", "[search]") {
    FakeMailbox mb(messages(), {});
    std::vector<Uid> saved{20, 50};
    SearchOptions opt;
    opt.saved = &saved;
    CHECK(run(mb, "$", opt) == V{2, 5});
    CHECK(run(mb, "UID $", opt) == V{2, 5});
    CHECK(run(mb, "$") == V{});
    CHECK_THROWS_AS(run(mb, "MODSEQ 5"), MailError);
    CHECK_THROWS_AS(run(mb, "BODY " + lit("\xFF\xFE")), MailError);
    mb.gone_ = 1;  // message 2 vanished: it does not match, the rest still does
    CHECK(run(mb, "OR TO alice BODY fox") == V{1, 3});
    CHECK(search_charset_supported("utf-8"));
    CHECK(search_charset_supported("US-ASCII"));
    CHECK_FALSE(search_charset_supported("ISO-8859-1"));
}
