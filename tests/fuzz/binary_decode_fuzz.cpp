// Fuzz target: BINARY's decoding. The transfer decoders give the same bytes
// however the input is split; every part's decoded stream has the size and
// NUL answer measure_decoded() promised for it.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mime/binary_section.hpp"
#include "mime/parser.hpp"

namespace {

using mail::TransferDecoder;

void check_split(std::string_view in, TransferDecoder::Encoding e) {
    std::string whole, parts;
    TransferDecoder a(e), b(e);
    a.feed(in, whole);
    a.finish(whole);
    size_t cut = in.empty() ? 0 : static_cast<unsigned char>(in[0]) % in.size();
    size_t step = 1 + (in.size() > 1 ? static_cast<unsigned char>(in[1]) % 7 : 0);
    b.feed(in.substr(0, cut), parts);
    for (size_t i = cut; i < in.size(); i += step) b.feed(in.substr(i, step), parts);
    b.finish(parts);
    if (whole != parts) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    check_split(in, TransferDecoder::Encoding::Base64);
    check_split(in, TransferDecoder::Encoding::QuotedPrintable);

    int fd = memfd_create("binary-fuzz", 0);
    if (fd < 0) return 0;
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return 0;
    }
    mail::MessageContent content(std::make_shared<const mail::UniqueFd>(fd), {{0, size}});
    mail::MimePart top = mail::parse_message(content);
    static const std::vector<unsigned> kPaths[] = {{}, {1}, {2}, {3}, {1, 1}, {1, 2}, {2, 1}, {1, 1, 1}};
    for (const auto& path : kPaths) {
        auto section = mail::resolve_binary_section(top, path);
        if (!section || !section->known_encoding) continue;
        std::string all;
        mail::DecodedReader reader(content, *section);
        for (auto chunk = reader.next(); !chunk.empty(); chunk = reader.next()) all += chunk;
        auto extent = mail::measure_decoded(content, *section, 2, 5);
        if (extent.size != all.size()) __builtin_trap();
        bool nul = all.size() > 2 && all.substr(2, 5).find('\0') != std::string::npos;
        if (extent.nul_in_window != nul) __builtin_trap();
    }
    return 0;
}
