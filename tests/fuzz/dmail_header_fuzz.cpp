// Fuzzes dmail's header filter: no crash, the same output however the input
// is cut into chunks, and no forgeable field left at a line start of the
// filtered header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dmail/header_filter.cpp"  // dmail/ is not in libc-client.a

namespace {

std::string filter(std::string_view in, size_t chunk) {
    mail::dmail::HeaderFilter f;
    std::string out;
    for (size_t i = 0; i < in.size(); i += chunk) f.feed(in.substr(i, chunk), out);
    f.finish(out);
    (void)mail::dmail::choose_sender("", f.envelope_sender(), f.from_field());
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    size_t chunk = data[0] % 16 + 1;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string whole = filter(in, in.size() + 1);
    if (filter(in, chunk) != whole) std::abort();
    // Header lines of the output: none may be a field we remove.
    size_t pos = 0;
    while (pos < whole.size()) {
        size_t eol = whole.find('\n', pos);
        std::string_view line = std::string_view(whole).substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        if (line.empty() || line == "\r") break;  // end of header
        size_t colon = line.find(':');
        if (colon != std::string_view::npos && colon < 64) {
            std::string_view name = line.substr(0, colon);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
            if (line[0] != ' ' && line[0] != '\t' && mail::dmail::is_forgeable_field(name)) std::abort();
        }
        if (eol == std::string::npos) break;
        pos = eol + 1;
    }
    return 0;
}
