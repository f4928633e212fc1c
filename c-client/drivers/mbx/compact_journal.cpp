#include "drivers/mbx/compact_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "drivers/mbx/mbx_mailbox.hpp"
#include "index/index_path.hpp"
#include "util/error.hpp"

namespace mail::mbx {

namespace {

constexpr char kMagic[8] = {'M', 'B', 'X', 'C', 'M', 'P', '\0', '\1'};
constexpr uint64_t kChunk = 1 << 20;
constexpr uint64_t kSlotHeader = 48;  // seq, move, done, length, hash, reserved
constexpr uint64_t kSlotSize = kSlotHeader + kChunk;
constexpr bool kSyncEachChunk = false;  // see compact_journal.hpp

void put(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t get(const char* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

uint64_t fnv(std::string_view b, uint64_t h = 14695981039346656037ull) {
    for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::string dir_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : path.substr(0, slash ? slash : 1);
}

void sync_or_throw(int fd, const char* what) {
    if (::fdatasync(fd) < 0) throw_errno(what, errno);
}

}  // namespace

std::string CompactJournal::path_for(const std::string& mailbox_path) {
    return index_file_path(mailbox_path, "", "mbx-compact");
}

std::optional<CompactJournal> CompactJournal::begin(const std::string& mailbox_path, const struct stat& st,
                                                    const std::vector<CompactMove>& moves, uint64_t final_size) {
    const std::string path = path_for(mailbox_path);
    if (!make_index_dir(path)) return std::nullopt;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return std::nullopt;
    std::string plan(kMagic, sizeof kMagic);
    put(plan, static_cast<uint64_t>(st.st_dev));
    put(plan, static_cast<uint64_t>(st.st_ino));
    put(plan, final_size);
    put(plan, moves.size());
    for (const CompactMove& m : moves) {
        put(plan, m.from);
        put(plan, m.to);
        put(plan, m.length);
    }
    put(plan, fnv(plan));
    try {
        pwrite_all(fd.get(), plan, 0);
        sync_or_throw(fd.get(), "cannot write the compaction journal");
        UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir) ::fsync(dir.get());  // the journal's name survives a crash too
    } catch (const MailError&) {
        ::unlink(path.c_str());
        return std::nullopt;
    }
    CompactJournal j(path, std::move(fd));
    j.moves_ = moves;
    j.final_size_ = final_size;
    j.slots_at_ = (plan.size() + 4095) / 4096 * 4096;
    return j;
}

bool CompactJournal::finish_interrupted(const std::string& mailbox_path, int mailbox_fd) {
    const std::string path = path_for(mailbox_path);
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return false;
    struct stat jst, st = fstat_or_throw(mailbox_fd);
    if (::fstat(fd.get(), &jst) < 0 || !S_ISREG(jst.st_mode)) return false;
    // The plan: whole, hashed, for this file; otherwise no byte had moved.
    std::string head(40, '\0');
    const size_t got = pread_some(fd.get(), head.data(), head.size(), 0);
    const uint64_t count = got == head.size() ? get(head.data() + 32) : 0;
    std::string plan;
    if (got == head.size() && std::memcmp(head.data(), kMagic, sizeof kMagic) == 0 && count < (1u << 26)) {
        plan.resize(40 + count * 24 + 8);
        if (pread_some(fd.get(), plan.data(), plan.size(), 0) != plan.size()) plan.clear();
    }
    const std::string_view body(plan.data(), plan.empty() ? 0 : plan.size() - 8);
    if (plan.empty() || get(plan.data() + body.size()) != fnv(body) ||
        get(plan.data() + 8) != static_cast<uint64_t>(st.st_dev) ||
        get(plan.data() + 16) != static_cast<uint64_t>(st.st_ino)) {
        ::unlink(path.c_str());
        return false;
    }
    CompactJournal j(path, std::move(fd));
    j.final_size_ = get(plan.data() + 24);
    for (uint64_t i = 0; i < count; ++i) {
        const char* p = plan.data() + 40 + i * 24;
        j.moves_.push_back({get(p), get(p + 8), get(p + 16)});
    }
    j.slots_at_ = (plan.size() + 4095) / 4096 * 4096;
    // The newest whole slot.
    for (uint64_t k = 0; k < 2; ++k) {
        std::string h(kSlotHeader, '\0');
        const uint64_t at = j.slots_at_ + k * kSlotSize;
        if (pread_some(j.fd_.get(), h.data(), h.size(), at) != h.size()) continue;
        const uint64_t seq = get(h.data()), move = get(h.data() + 8), done = get(h.data() + 16),
                       length = get(h.data() + 24);
        if (seq <= j.seq_ || move >= j.moves_.size() || length > kChunk ||
            done + length > j.moves_[move].length)
            continue;
        std::string data(length, '\0');
        if (pread_some(j.fd_.get(), data.data(), data.size(), at + kSlotHeader) != data.size()) continue;
        if (get(h.data() + 32) != fnv(data, fnv(std::string_view(h.data(), 32)))) continue;
        j.seq_ = seq;
        j.move_ = move;
        j.done_ = done + length;
        j.redo_ = std::move(data);
        j.redo_at_ = j.moves_[move].to + done;
    }
    j.run(mailbox_fd);
    return true;
}

void CompactJournal::run(int mailbox_fd) {
    if (!redo_.empty()) {
        pwrite_all(mailbox_fd, redo_, redo_at_);
        sync_or_throw(mailbox_fd, "cannot write the mailbox");
        redo_.clear();
    }
    std::string chunk;
    for (; move_ < moves_.size(); ++move_, done_ = 0) {
        const CompactMove& m = moves_[move_];
        while (done_ < m.length) {
            const uint64_t n = std::min(kChunk, m.length - done_);
            chunk.resize(kSlotHeader + n);
            if (pread_some(mailbox_fd, chunk.data() + kSlotHeader, n, m.from + done_) != n)
                throw MailError(ErrorKind::Corrupt, "the mailbox is shorter than its compaction plan");
            std::string h;
            put(h, ++seq_);
            put(h, move_);
            put(h, done_);
            put(h, n);
            put(h, fnv(std::string_view(chunk.data() + kSlotHeader, n), fnv(h)));
            put(h, 0);
            chunk.replace(0, kSlotHeader, h);
            pwrite_all(fd_.get(), chunk, slots_at_ + (seq_ % 2) * kSlotSize);
            if (kSyncEachChunk) sync_or_throw(fd_.get(), "cannot write the compaction journal");
            pwrite_all(mailbox_fd, std::string_view(chunk.data() + kSlotHeader, n), m.to + done_);
            if (kSyncEachChunk) sync_or_throw(mailbox_fd, "cannot write the mailbox");  // before its slot is reused
            done_ += n;
        }
    }
    if (::ftruncate(mailbox_fd, static_cast<off_t>(final_size_)) < 0) throw_errno("cannot shrink the mailbox", errno);
    if (::fsync(mailbox_fd) < 0) throw_errno("cannot write the mailbox", errno);
    ::unlink(path_.c_str());
    fd_.reset();
}

}  // namespace mail::mbx
