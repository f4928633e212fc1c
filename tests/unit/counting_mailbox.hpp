// Test fixtures shared by the cache, SEARCH and SORT tests: a temporary
// directory, a read-only mailbox in a memfd that counts content() calls
// (so a test can assert that an answer came from the cache, not the
// messages), and a SEARCH program run over it.
#pragma once

#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cache/message_cache.hpp"
#include "imapd/protocol/arg_reader.hpp"
#include "imapd/protocol/search_program.hpp"
#include "mailbox/mailbox.hpp"
#include "search/search.hpp"

namespace mail::test {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/unit_test.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

// UIDs 1, 2, 3...; internal dates 1700000000 + index.
class CountingMailbox : public Mailbox {
public:
    explicit CountingMailbox(const std::vector<std::string>& texts, Uid uidvalidity = 7)
        : uidvalidity_(uidvalidity) {
        fd_ = std::make_shared<const UniqueFd>(::memfd_create("counting-mailbox", 0));
        uint64_t offset = 0;
        for (size_t i = 0; i < texts.size(); ++i) {
            REQUIRE(::pwrite(fd_->get(), texts[i].data(), texts[i].size(), static_cast<off_t>(offset)) ==
                    static_cast<ssize_t>(texts[i].size()));
            ranges_.push_back({offset, texts[i].size()});
            offset += texts[i].size();
            MessageInfo info;
            info.uid = static_cast<Uid>(i + 1);
            info.size = texts[i].size();
            info.internal_date = 1700000000 + static_cast<int64_t>(i);
            messages_.push_back(info);
        }
    }
    bool read_only() const override { return true; }
    Uid uidvalidity() const override { return uidvalidity_; }
    Uid uidnext() const override { return static_cast<Uid>(count() + 1); }
    std::optional<size_t> keyword_bit(std::string_view, bool) override { return std::nullopt; }
    MessageContent content(size_t index) override {
        ++reads;
        return MessageContent(fd_, {ranges_.at(index)});
    }
    std::unique_ptr<AppendSink> append(const AppendRequest&) override { return nullptr; }
    void set_flags(size_t, uint32_t, KeywordMask) override {}
    void expunge(EventSink&, const std::vector<Uid>*) override {}
    void sync(EventSink&, bool) override {}

    size_t reads = 0;

private:
    Uid uidvalidity_;
    std::shared_ptr<const UniqueFd> fd_;
    std::vector<FileRange> ranges_;
};

// The 1-based sequence numbers SEARCH program (IMAP syntax) matches.
inline std::vector<size_t> run(Mailbox& mb, const std::string& program, MessageCache* cache) {
    imapd::ArgReader args(program);
    auto parsed = imapd::parse_search(args);
    SearchOptions opt;
    opt.cache = cache;
    std::vector<size_t> seqs;
    for (size_t i : search(mb, parsed.root, opt)) seqs.push_back(i + 1);
    return seqs;
}

inline std::vector<size_t> all_indexes(const Mailbox& mb) {
    std::vector<size_t> out;
    for (size_t i = 0; i < mb.count(); ++i) out.push_back(i);
    return out;
}

}  // namespace mail::test
