#include "imapd/session/compress_transport.hpp"

#include <algorithm>
#include <stdexcept>

namespace mail::imapd {

namespace {

constexpr size_t kBuffer = 64 * 1024;
constexpr int kRawDeflate = -15;  // RFC 4978: no zlib header or checksum

}  // namespace

CompressTransport::CompressTransport(Transport& inner) : inner_(inner), in_(kBuffer), out_(kBuffer) {
    if (deflateInit2(&deflate_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawDeflate, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    if (inflateInit2(&inflate_, kRawDeflate) != Z_OK) {
        deflateEnd(&deflate_);
        throw std::runtime_error("inflateInit2 failed");
    }
}

CompressTransport::~CompressTransport() {
    deflateEnd(&deflate_);
    inflateEnd(&inflate_);
}

size_t CompressTransport::read(char* buf, size_t n) {
    if (broken_ || n == 0) return 0;
    for (;;) {
        if (in_pos_ == in_end_ && !output_pending_) {
            in_pos_ = 0;
            in_end_ = inner_.read(in_.data(), in_.size());
            if (in_end_ == 0) return 0;
        }
        inflate_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
        inflate_.avail_in = static_cast<uInt>(in_end_ - in_pos_);
        inflate_.next_out = reinterpret_cast<Bytef*>(buf);
        inflate_.avail_out = static_cast<uInt>(std::min<size_t>(n, kBuffer));
        const uInt room = inflate_.avail_out;
        int rc = inflate(&inflate_, Z_SYNC_FLUSH);
        in_pos_ = in_end_ - inflate_.avail_in;
        const size_t produced = room - inflate_.avail_out;
        // A full buffer may leave output inside zlib for the next read.
        output_pending_ = inflate_.avail_out == 0;
        if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR)) broken_ = true;  // gone, or garbage
        if (produced > 0) return produced;
        if (broken_) return 0;
        // Nothing yet (a flush marker, half a block): read more.
    }
}

bool CompressTransport::write(std::string_view data) {
    if (broken_) return false;
    deflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    deflate_.avail_in = static_cast<uInt>(data.size());
    // Z_SYNC_FLUSH at the end of every write: each is a response boundary.
    do {
        deflate_.next_out = out_.data();
        deflate_.avail_out = static_cast<uInt>(out_.size());
        if (deflate(&deflate_, Z_SYNC_FLUSH) == Z_STREAM_ERROR) return false;
        size_t have = out_.size() - deflate_.avail_out;
        if (have > 0 && !inner_.write(std::string_view(reinterpret_cast<char*>(out_.data()), have))) return false;
    } while (deflate_.avail_out == 0 || deflate_.avail_in > 0);
    return true;
}

Transport::Wait CompressTransport::wait(int other_fd, int timeout_ms) {
    if (in_pos_ != in_end_ || output_pending_) return Wait::Input;
    return inner_.wait(other_fd, timeout_ms);
}

}  // namespace mail::imapd
