// Where each message's file is now, parallel to Mailbox::messages_, in a
// compact layout: every name lives in one character arena and a message
// costs a 12-byte record plus its name's bytes, instead of three
// std::strings (about 250 bytes a message with their heap blocks). The base
// name (the uidlist key) is the name's prefix up to ':'.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mail::maildir {

class MessageFiles {
public:
    size_t size() const { return records_.size(); }
    bool empty() const { return records_.empty(); }
    void reserve(size_t n) { records_.reserve(n); }

    void push_back(std::string_view name, bool in_new);
    // The whole current name in cur/ (or new/ when in_new()).
    std::string_view name(size_t i) const {
        const Record& r = records_.at(i);
        return std::string_view(arena_).substr(r.offset, r.length);
    }
    // The name up to ':' (the uidlist key; a base never changes).
    std::string_view base(size_t i) const { return name(i).substr(0, records_.at(i).base_length); }
    bool in_new(size_t i) const { return records_.at(i).bits & kInNew; }
    // Gone at the last scan; reported at a sync allowing expunges.
    bool vanished(size_t i) const { return records_.at(i).bits & kVanished; }
    // Flags not yet read from the name (relocate() followed it, keywords grew).
    bool relocated(size_t i) const { return records_.at(i).bits & kRelocated; }

    // A new name for message i (a rename); the old bytes become garbage,
    // reclaimed when they outweigh the live ones.
    void set_name(size_t i, std::string_view name, bool in_new);
    void set_vanished(size_t i, bool on) { set_bit(i, kVanished, on); }
    void set_relocated(size_t i, bool on) { set_bit(i, kRelocated, on); }

    // Removes the records whose flag in `remove` is set (same size as this),
    // in one pass.
    void erase_marked(const std::vector<bool>& remove);
    void erase(size_t i);

    // Bytes held (records and arena), for tests and reports.
    size_t memory_bytes() const { return records_.capacity() * sizeof(Record) + arena_.capacity(); }
    size_t garbage_bytes() const { return garbage_; }

private:
    enum : uint8_t { kInNew = 1, kVanished = 2, kRelocated = 4 };
    struct Record {
        uint32_t offset = 0;
        uint8_t length = 0;       // a file name has at most 255 bytes (NAME_MAX)
        uint8_t base_length = 0;
        uint8_t bits = 0;
    };
    void set_bit(size_t i, uint8_t bit, bool on);
    uint32_t store(std::string_view name);
    void compact();

    std::vector<Record> records_;
    std::string arena_;
    size_t garbage_ = 0;
};

}  // namespace mail::maildir
