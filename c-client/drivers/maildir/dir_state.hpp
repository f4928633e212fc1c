// When new/ or cur/ must be read again, by Dovecot's rule (maildir-sync.c,
// MAILDIR_SYNC_SECS): a directory whose stamp (mtime in nanoseconds, size,
// inode) is the one of our last scan is unchanged, except that a directory
// whose mtime was within a second of the clock at that scan is "dirty": a
// change in the same clock tick may not have moved its mtime, so it is read
// once more after that second has passed, and then it is clean. Our own
// changes (APPEND's link, STORE's renames, EXPUNGE's unlinks) update the
// stamp instead of forcing a rescan, when nobody else changed the directory
// since our scan; they leave it dirty, so that a change another process made
// at the same moment is still seen, one second later. Pure: no I/O.
#pragma once

#include <cstdint>

#include "drivers/maildir/files.hpp"

namespace mail::maildir {

constexpr int64_t kDirtyNs = 1000000000;  // Dovecot's MAILDIR_SYNC_SECS

class DirState {
public:
    // Whether a sync that finds the directory at `now_stamp` must read it.
    bool needs_scan(const FileStamp& now_stamp, int64_t now_ns) const {
        if (!known_ || now_stamp.mtime_ns < 0 || !(now_stamp == stamp_)) return true;
        return dirty_ && now_ns - stamp_.mtime_ns >= kDirtyNs;
    }
    // The directory was read; `stamp` is what it was just before.
    void scanned(const FileStamp& stamp, int64_t now_ns) {
        stamp_ = stamp;
        known_ = stamp.mtime_ns >= 0;
        dirty_ = now_ns - stamp.mtime_ns < kDirtyNs;
    }
    // True when `before` (taken just before an own change) is the stamp of
    // our last scan: nothing else changed the directory since.
    bool unchanged_since_scan(const FileStamp& before) const { return known_ && before == stamp_; }
    // After an own change that began unchanged_since_scan(): `after` is the
    // directory's stamp now.
    void own_change(const FileStamp& after) {
        stamp_ = after;
        known_ = after.mtime_ns >= 0;
        dirty_ = true;
    }
    void forget() { known_ = false; }

private:
    FileStamp stamp_;
    bool known_ = false;
    bool dirty_ = false;
};

}  // namespace mail::maildir
