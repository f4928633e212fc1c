// Golden test: every tests/corpus/NAME.eml parsed as stored gives the
// ENVELOPE and BODYSTRUCTURE in NAME.envelope and NAME.bodystructure.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "message/envelope.hpp"
#include "mime/bodystructure.hpp"
#include "mime/parser.hpp"

namespace fs = std::filesystem;

namespace {

// The corpus, found from this file's place in the source tree.
fs::path corpus_dir() {
    return fs::path(__FILE__).parent_path().parent_path() / "corpus";
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string header_of(const std::string& message) {
    auto lf = message.find("\n\n");
    auto crlf = message.find("\r\n\r\n");
    if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) return message.substr(0, crlf + 4);
    if (lf != std::string::npos) return message.substr(0, lf + 2);
    return message;
}

}  // namespace

std::vector<fs::path> corpus_messages() {
    std::vector<fs::path> files;
    fs::path dir = corpus_dir();
    if (!fs::is_directory(dir)) return files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".eml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

TEST_CASE("corpus: BODYSTRUCTURE equals the expected answer", "[mime][corpus]") {
    auto files = corpus_messages();
    REQUIRE(!files.empty());
    for (const auto& eml : files) {
        std::string message = slurp(eml);
        fs::path bs = fs::path(eml).replace_extension(".bodystructure");
        if (!fs::exists(bs)) continue;
        INFO(eml.filename().string());
        // Fed in small pieces to exercise chunk boundaries inside lines.
        mail::MimeParser parser;
        for (size_t i = 0; i < message.size(); i += 7) parser.feed(std::string_view(message).substr(i, 7));
        mail::MimePart top = parser.finish();
        CHECK(mail::body_structure(top, true) == slurp(bs));
        CHECK(mail::body_structure(mail::parse_message(message), true) == slurp(bs));
        // RFC822.SIZE is the top part's header and body in CRLF terms.
        fs::path size = fs::path(eml).replace_extension(".size");
        if (fs::exists(size)) CHECK(std::to_string(top.header.imap_length + top.body.imap_length) == slurp(size).substr(0, slurp(size).find_first_of("\r\n")));
    }
}

TEST_CASE("corpus: ENVELOPE equals the expected answer", "[corpus][envelope]") {
    for (const auto& eml : corpus_messages()) {
        fs::path env = fs::path(eml).replace_extension(".envelope");
        if (!fs::exists(env)) continue;
        INFO(eml.filename().string());
        CHECK(mail::imap_envelope(header_of(slurp(eml))) == slurp(env));
    }
}
