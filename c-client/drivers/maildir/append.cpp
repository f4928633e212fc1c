// APPEND: write into tmp/, fsync, then under the uidlist lock move the file
// into cur/ and give it the next UID, so that no other process can number
// it first; fsync cur/ before the uidlist names it. The uidlist gets one
// line appended (sync.cpp), not rewritten.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "drivers/maildir/filename.hpp"
#include "drivers/maildir/maildir_mailbox.hpp"
#include "util/error.hpp"

namespace mail::maildir {

namespace {

std::atomic<unsigned> g_delivery_counter{0};

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) < 0 || !buf[0]) return "localhost";
    return buf;
}

}  // namespace

class MaildirAppendSink : public AppendSink {
public:
    MaildirAppendSink(MaildirMailbox& box, const AppendRequest& request) : box_(box), request_(request) {
        struct timeval tv;
        ::gettimeofday(&tv, nullptr);
        sec_ = tv.tv_sec;
        usec_ = tv.tv_usec;
        counter_ = g_delivery_counter++;
        host_ = host_name();
        tmp_path_ = box_.dir("tmp") + "/" + unique_base(sec_, usec_, ::getpid(), counter_, host_, 0, 0);
        fd_.reset(::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd_) throw_errno("cannot create a message file", errno);
    }

    ~MaildirAppendSink() override {
        if (!committed_) ::unlink(tmp_path_.c_str());
    }

    void write(std::string_view bytes) override {
        for (char c : bytes) {
            if (c == '\n' && last_ != '\r') ++vsize_;
            last_ = c;
        }
        vsize_ += bytes.size();
        size_ += bytes.size();
        write_all(fd_.get(), bytes, "the message");
    }

    Uid commit() override {
        if (committed_) throw MailError(ErrorKind::Invalid, "message already committed");
        if (::fsync(fd_.get()) < 0) throw_errno("cannot write the message", errno);
        time_t when = request_.internal_date ? request_.internal_date : sec_;
        struct timespec times[2] = {{when, 0}, {when, 0}};
        ::futimens(fd_.get(), times);  // the internal date is the file's mtime
        fd_.reset();

        uint32_t letters = 0;
        for (const auto& kw : request_.keywords)
            if (auto bit = box_.keyword_bit(kw, true)) letters |= 1u << *bit;
        std::string base = unique_base(sec_, usec_, ::getpid(), counter_, host_, size_, vsize_);
        std::string name = file_name(base, request_.flags & kStorableFlags, letters, "");
        std::string final_path = box_.dir("cur") + "/" + name;

        DotLock lock = DotLock::acquire(box_.uidlist_path(), box_.timeouts_);
        const FileStamp cur_before = box_.cur_stamp();
        if (::link(tmp_path_.c_str(), final_path.c_str()) < 0) {
            if (errno != EPERM && errno != ENOSYS) throw_errno("cannot store the message", errno);
            if (::rename(tmp_path_.c_str(), final_path.c_str()) < 0) throw_errno("cannot store the message", errno);
        } else {
            ::unlink(tmp_path_.c_str());
        }
        committed_ = true;
        try {
            fsync_dir(box_.dir("cur"));
            box_.reload_uidlist(&lock);  // re-read only when another process changed it (stamp)
            Uid uid = box_.uidlist_.next_uid;
            if (request_.uid) {  // a copy keeping its source's UID (mailbox.hpp)
                if (!box_.uidlist_.records.empty() && request_.uid <= box_.uidlist_.records.back().uid)
                    throw MailError(ErrorKind::Invalid, "the UID to keep is not above the mailbox's last UID");
                uid = request_.uid;
            }
            box_.uidlist_.next_uid = std::max(box_.uidlist_.next_uid, uid + 1);
            box_.uidlist_.records.push_back(UidlistRecord{uid, base, {}});
            box_.append_uidlist_locked(lock, box_.uidlist_.records.size() - 1);
            // The selected session learns of its own message without a scan of cur/.
            if (box_.end_own_change(cur_before)) box_.own_appends_[base] = name;
            return uid;
        } catch (...) {
            ::unlink(final_path.c_str());  // not acknowledged: leave no trace
            throw;
        }
    }

private:
    MaildirMailbox& box_;
    AppendRequest request_;
    int64_t sec_ = 0;
    long usec_ = 0;
    unsigned counter_ = 0;
    std::string host_;
    std::string tmp_path_;
    UniqueFd fd_;
    uint64_t size_ = 0, vsize_ = 0;
    char last_ = 0;
    bool committed_ = false;
};

std::unique_ptr<AppendSink> MaildirMailbox::append(const AppendRequest& request) {
    if (read_only_) throw MailError(ErrorKind::Permission, "the mailbox is open read-only");
    return std::make_unique<MaildirAppendSink>(*this, request);
}

}  // namespace mail::maildir
