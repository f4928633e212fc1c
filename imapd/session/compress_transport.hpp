// COMPRESS=DEFLATE (RFC 4978): raw deflate (zlib, windowBits -15) both ways
// over another Transport (the plain descriptors, or TLS when it is on, so
// that compression sits above TLS). Each write() is a response boundary and
// ends with Z_SYNC_FLUSH, so the client can decode all it has been sent.
#pragma once

#include <zlib.h>

#include <string>
#include <vector>

#include "imapd/session/transport.hpp"

namespace mail::imapd {

class CompressTransport : public Transport {
public:
    explicit CompressTransport(Transport& inner);
    ~CompressTransport() override;
    CompressTransport(const CompressTransport&) = delete;
    CompressTransport& operator=(const CompressTransport&) = delete;

    // 0 when the client has gone or sent data that does not inflate.
    size_t read(char* buf, size_t n) override;
    bool write(std::string_view data) override;
    // Input already received but not yet inflated counts as readable.
    Wait wait(int other_fd, int timeout_ms) override;

private:
    Transport& inner_;
    z_stream deflate_{};
    z_stream inflate_{};
    bool broken_ = false;
    bool output_pending_ = false;  // inflate filled the caller's buffer: it may hold more
    std::vector<char> in_;       // compressed bytes read from inner_, from in_pos_
    size_t in_pos_ = 0, in_end_ = 0;
    std::vector<unsigned char> out_;  // deflate's output buffer
};

}  // namespace mail::imapd
