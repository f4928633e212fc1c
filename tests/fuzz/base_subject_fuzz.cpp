// Fuzzes what SORT and THREAD compute from a header: the RFC 5256 base
// subject (with and without RFC 2047 decoding), the i;unicode-casemap form,
// msg-id lists, and the sort keys of the input taken as a whole header.
// The base subject is a fixed point: taking it again changes nothing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sort/base_subject.hpp"
#include "sort/sort_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    mail::BaseSubject text = mail::base_subject_of_text(in);
    if (mail::base_subject_of_text(text.text).text != text.text) __builtin_trap();
    mail::base_subject(in);
    mail::unicode_casemap(in);
    mail::parse_msg_ids(in);
    mail::MessageInfo info;
    info.internal_date = 1700000000;
    mail::extract_sort_keys(in, info);
    return 0;
}
