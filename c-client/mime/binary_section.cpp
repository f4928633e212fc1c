#include "mime/binary_section.hpp"

#include <strings.h>

#include <algorithm>
#include <cstring>

#include "mime/section.hpp"

namespace mail {

std::optional<TransferDecoder::Encoding> binary_encoding(const std::optional<std::string>& cte) {
    if (!cte || cte->empty()) return TransferDecoder::Encoding::Identity;
    const std::string& v = *cte;
    for (const char* name : {"7bit", "8bit", "binary"})
        if (strcasecmp(v.c_str(), name) == 0) return TransferDecoder::Encoding::Identity;
    if (strcasecmp(v.c_str(), "base64") == 0) return TransferDecoder::Encoding::Base64;
    if (strcasecmp(v.c_str(), "quoted-printable") == 0) return TransferDecoder::Encoding::QuotedPrintable;
    return std::nullopt;
}

std::optional<BinarySection> resolve_binary_section(const MimePart& top, const std::vector<unsigned>& path) {
    BinarySection out;
    if (path.empty()) {  // the whole message, as stored
        out.stored_offset = top.header.stored_offset;
        out.stored_length = top.header.stored_length + top.body.stored_length;
        return out;
    }
    const MimePart* part = find_part(top, path);
    if (!part) return std::nullopt;
    out.stored_offset = part->body.stored_offset;
    out.stored_length = part->body.stored_length;
    if (part->is_multipart() || part->is_message_rfc822()) return out;
    auto encoding = binary_encoding(part->encoding);
    out.known_encoding = encoding.has_value();
    if (encoding) out.encoding = *encoding;
    return out;
}

DecodedReader::DecodedReader(const MessageContent& content, const BinarySection& section)
    : reader_(content, section.stored_offset, section.stored_length), decoder_(section.encoding) {}

std::string_view DecodedReader::next() {
    out_.clear();
    while (out_.empty() && !done_) {
        std::string_view chunk = reader_.next();
        if (chunk.empty()) {
            decoder_.finish(out_);
            done_ = true;
        } else {
            decoder_.feed(chunk, out_);
        }
    }
    return out_;
}

DecodedExtent measure_decoded(const MessageContent& content, const BinarySection& section, uint64_t offset,
                              uint64_t length) {
    DecodedExtent extent;
    const uint64_t window_end = length > UINT64_MAX - offset ? UINT64_MAX : offset + length;
    DecodedReader reader(content, section);
    for (std::string_view chunk = reader.next(); !chunk.empty(); chunk = reader.next()) {
        const uint64_t at = extent.size;
        extent.size += chunk.size();
        if (extent.nul_in_window || extent.size <= offset || at >= window_end) continue;
        uint64_t from = std::max(at, offset) - at;
        uint64_t to = std::min(extent.size, window_end) - at;
        std::string_view window = chunk.substr(static_cast<size_t>(from), static_cast<size_t>(to - from));
        extent.nul_in_window = window.find('\0') != std::string_view::npos;
    }
    return extent;
}

}  // namespace mail
