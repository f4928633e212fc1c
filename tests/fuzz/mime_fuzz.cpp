// Fuzz target: the MIME parser (whole and in pieces), BODYSTRUCTURE, and
// section resolution and reading over every part.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unistd.h>
#include <sys/mman.h>

#include "mime/bodystructure.hpp"
#include "mime/parser.hpp"
#include "mime/section.hpp"
#include "mime/section_reader.hpp"

namespace {

void check_sections(const mail::MessageContent& content, const mail::MimePart& top) {
    static const char* const kSpecs[] = {"", "TEXT", "HEADER", "1", "1.MIME", "2", "1.1", "1.2.TEXT", "2.HEADER",
                                         "1.HEADER.FIELDS (Subject)", "3.1.HEADER.FIELDS.NOT (To)", "2.1.1"};
    for (const char* s : kSpecs) {
        auto spec = mail::parse_section(s);
        if (!spec) continue;
        auto range = mail::resolve_section(top, *spec);
        if (!range) continue;
        std::string got = mail::read_section(content, *range);
        if (!range->filter && got.size() != range->imap_length) __builtin_trap();
        if (!range->filter && mail::read_section(content, *range, 3, 5) != got.substr(std::min<size_t>(3, got.size()), 5))
            __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    mail::MimePart whole = mail::parse_message(bytes);
    std::string bs = mail::body_structure(whole, true);
    mail::body_structure(whole, false);

    mail::MimeParser parser;
    size_t step = size > 0 ? data[0] % 13 + 1 : 1;
    for (size_t i = 0; i < size; i += step) parser.feed(bytes.substr(i, step));
    if (mail::body_structure(parser.finish(), true) != bs) __builtin_trap();

    int fd = memfd_create("fuzz", 0);
    if (fd < 0) return 0;
    if (::write(fd, data, size) != static_cast<ssize_t>(size)) {
        ::close(fd);
        return 0;
    }
    mail::MessageContent content(std::make_shared<const mail::UniqueFd>(fd), {{0, size}});
    check_sections(content, whole);
    std::string section(bytes.substr(0, 40));
    if (auto spec = mail::parse_section(section)) mail::resolve_section(whole, *spec);
    return 0;
}
