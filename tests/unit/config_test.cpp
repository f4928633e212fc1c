#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/values.hpp"

using namespace mail;
namespace fs = std::filesystem;

namespace {

// A file of the source tree, found from the working directory (make check
// runs from the top) or from this file's own path.
std::string repo_file(const std::string& name) {
    fs::path here = fs::path(__FILE__).parent_path().parent_path().parent_path();
    for (fs::path p : {fs::path(name), here / name})
        if (fs::exists(p)) {
            std::ifstream in(p);
            std::stringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }
    FAIL("cannot find " << name);
    return "";
}

std::string describe(const ExpandedLocation& l) {
    return "{" + l.format + ", " + l.root + ", " + l.inbox + "}";
}

bool same(const ExpandedLocation& a, const ExpandedLocation& b) {
    return a.format == b.format && a.root == b.root && a.inbox == b.inbox;
}

std::string error_of(std::string_view text) {
    try {
        Config::parse(text, "/etc/imapd.conf");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/config-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("sizes take bytes, K, M and G", "[config]") {
    struct Case {
        const char* in;
        std::optional<uint64_t> out;
    } cases[] = {
        {"0", 0},
        {"100", 100},
        {"1K", 1024},
        {"1k", 1024},
        {"2M", 2u << 20},
        {"1536M", 1536ull << 20},
        {"3G", 3ull << 30},
        {"1g", 1ull << 30},
        {"18446744073709551615", 18446744073709551615ull},
        {"", std::nullopt},
        {"K", std::nullopt},
        {"1T", std::nullopt},
        {"1KB", std::nullopt},
        {"1.5M", std::nullopt},
        {"-1", std::nullopt},
        {" 1", std::nullopt},
        {"18446744073709551616", std::nullopt},
        {"17179869184G", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.in);
        CHECK(parse_size(c.in) == c.out);
    }
}

TEST_CASE("durations take seconds, s, m and h", "[config]") {
    using std::chrono::seconds;
    struct Case {
        const char* in;
        std::optional<seconds> out;
    } cases[] = {
        {"0", seconds(0)},
        {"45", seconds(45)},
        {"45s", seconds(45)},
        {"30m", seconds(1800)},
        {"2h", seconds(7200)},
        {"", std::nullopt},
        {"m", std::nullopt},
        {"1d", std::nullopt},
        {"30M", std::nullopt},
        {"1.5h", std::nullopt},
        {"10 m", std::nullopt},
        {"9223372036854775808", std::nullopt},
        {"5124095576030431h", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.in);
        CHECK(parse_duration(c.in) == c.out);
    }
}

TEST_CASE("no file at all gives every default", "[config]") {
    Config c = Config::load("/nonexistent/imapd.conf", false);
    CHECK(c.source().empty());
    CHECK(c.string("mail_location") == "mbx:%h/mail:INBOX=%h/INBOX");
    CHECK(c.size("max_message_size") == 1536ull << 20);
    CHECK(c.duration("autologout") == std::chrono::minutes(30));
    CHECK(c.duration("login_timeout") == std::chrono::seconds(60));
    CHECK(c.string("plaintext_auth") == "localhost");
    CHECK(c.flag("fsync"));
    CHECK(c.path("spool", {"fred", "/home/fred"}) == "/var/mail/fred");
    CHECK(c.path("log_path", {"fred", "/home/fred"}) == "syslog");
    CHECK(c.path("index_dir", {"fred", "/home/fred"}) == "");
    CHECK_FALSE(c.was_set("spool"));
    // Every key's default passes its own check.
    for (const KeySpec& k : config_keys()) {
        INFO(k.name);
        CHECK(config_value_problem(k, k.default_value) == "");
    }
}

TEST_CASE("good lines set their key", "[config]") {
    struct Case {
        const char* text;
        const char* key;
        const char* value;
    } cases[] = {
        {"spool = /var/spool/mail/%u", "spool", "/var/spool/mail/%u"},
        {"  spool=/var/mail/%u  \n", "spool", "/var/mail/%u"},
        {"\tautologout\t=\t2h\r\n", "autologout", "2h"},
        {"spool =", "spool", ""},
        {"spool = # no spool", "spool", ""},
        {"pam_service = \"  imap 2 \"", "pam_service", "  imap 2 "},
        {"pam_service = \"a#b\" # comment", "pam_service", "a#b"},
        {"log_path = /var/log/imapd.log   # ours", "log_path", "/var/log/imapd.log"},
        {"log_path = /var/log/a#b", "log_path", "/var/log/a#b"},
        {"log_path = stderr", "log_path", "stderr"},
        {"passdb = passwd-file:/etc/imapd.passwd", "passdb", "passwd-file:/etc/imapd.passwd"},
        {"plaintext_auth = yes", "plaintext_auth", "yes"},
        {"mail_location = maildir:~/Maildir", "mail_location", "maildir:~/Maildir"},
        {"# comment\n\n   # indented comment\nmax_message_size = 10M\n", "max_message_size",
         "10M"},
        {"index_dir = %h/.imapd-cache", "index_dir", "%h/.imapd-cache"},
        {"tls_cert = ~/cert.pem", "tls_cert", "~/cert.pem"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        Config config = Config::parse(c.text, "test.conf");
        CHECK(config.string(c.key) == c.value);
        CHECK(config.was_set(c.key));
    }
}

TEST_CASE("bad lines are errors naming the file, the line and the problem", "[config]") {
    struct Case {
        const char* text;
        const char* error;
    } cases[] = {
        {"\n\nmail_locaton = mbx:~/mail", "/etc/imapd.conf:3: unknown key \"mail_locaton\""},
        {"spool = /a\n# x\nspool = /b",
         "/etc/imapd.conf:3: duplicate key \"spool\" (first set on line 1)"},
        {"spool /var/mail", "/etc/imapd.conf:1: no \"=\" in \"spool /var/mail\" (expected key = value)"},
        {" = 3", "/etc/imapd.conf:1: no key before \"=\""},
        {"max_message_size = 1T",
         "/etc/imapd.conf:1: bad value \"1T\" for max_message_size: expected a size: bytes, or a "
         "number with K, M or G (1536M)"},
        {"autologout = 1d",
         "/etc/imapd.conf:1: bad value \"1d\" for autologout: expected a time: seconds, or a "
         "number with s, m or h (30m)"},
        {"autologout =",
         "/etc/imapd.conf:1: bad value \"\" for autologout: expected a time: seconds, or a "
         "number with s, m or h (30m)"},
        {"plaintext_auth = maybe",
         "/etc/imapd.conf:1: bad value \"maybe\" for plaintext_auth: expected one of no, "
         "localhost, yes"},
        {"passdb = ldap",
         "/etc/imapd.conf:1: bad value \"ldap\" for passdb: expected one of pam, passwd-file:PATH"},
        {"passdb = passwd-file:",
         "/etc/imapd.conf:1: bad value \"passwd-file:\" for passdb: expected one of pam, "
         "passwd-file:PATH"},
        {"log_path = journal",
         "/etc/imapd.conf:1: bad value \"journal\" for log_path: expected an absolute path, "
         "~/PATH or %h/PATH, syslog, stderr"},
        {"spool = /var/mail/%x",
         "/etc/imapd.conf:1: bad value \"/var/mail/%x\" for spool: unknown variable %x in "
         "\"/var/mail/%x\" (known: %u %h %1 %2 %%)"},
        {"spool = /var/mail/%",
         "/etc/imapd.conf:1: bad value \"/var/mail/%\" for spool: a lone '%' at the end of "
         "\"/var/mail/%\""},
        {"mail_location = mdir:~/Maildir",
         "/etc/imapd.conf:1: bad value \"mdir:~/Maildir\" for mail_location: unknown mailbox "
         "format \"mdir\" (known: mbx, unix, maildir)"},
        {"mail_location = ~/Maildir",
         "/etc/imapd.conf:1: bad value \"~/Maildir\" for mail_location: mail location "
         "\"~/Maildir\" is not FORMAT:PATH (FORMAT one of mbx, unix, maildir)"},
        {"pam_service = \"imap", "/etc/imapd.conf:1: unterminated quote in \"\"imap\""},
        {"pam_service = \"imap\" x", "/etc/imapd.conf:1: text after the closing quote: \"x\""},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        CHECK(error_of(c.text) == c.error);
    }
}

TEST_CASE("a file given with -c must exist; the default file need not", "[config]") {
    TempDir dir;
    std::string path = (dir.path / "imapd.conf").string();
    CHECK_THROWS_WITH(Config::load(path, true), path + ": cannot open: No such file or directory");
    CHECK_NOTHROW(Config::load(path, false));
    std::ofstream(path) << "# site\nautologout = 5m\nbogus = 1\n";
    CHECK_THROWS_WITH(Config::load_for(path), path + ":3: unknown key \"bogus\"");
    std::ofstream(path) << "autologout = 5m\n";
    Config c = Config::load_for(path);
    CHECK(c.source() == path);
    CHECK(c.duration("autologout") == std::chrono::minutes(5));
}

TEST_CASE("set() checks values as a file line would", "[config]") {
    Config c;
    c.set("autologout", "10s");
    CHECK(c.duration("autologout") == std::chrono::seconds(10));
    CHECK_THROWS_WITH(c.set("autologot", "10s", "-o"), "-o: unknown key \"autologot\"");
    CHECK_THROWS_WITH(c.set("fsync", "sometimes"),
                      "override: bad value \"sometimes\" for fsync: expected one of yes, no");
    CHECK_THROWS_AS(c.size("autologout"), std::logic_error);
}

TEST_CASE("path templates expand %u %h %1 %2 %% and ~/", "[config]") {
    struct Case {
        const char* tmpl;
        const char* user;
        const char* home;
        const char* out;
    } cases[] = {
        {"/var/mail/%u", "fred", "/home/fred", "/var/mail/fred"},
        {"%h/mail", "fred", "/home/fred", "/home/fred/mail"},
        {"~/Maildir", "fred", "/home/fred", "/home/fred/Maildir"},
        {"~", "fred", "/home/fred", "/home/fred"},
        {"/x/~/y", "fred", "/home/fred", "/x/~/y"},
        {"/var/imap/%1/%2/%u", "fred", "/home/fred", "/var/imap/f/r/fred"},
        {"/var/imap/%1/%2/%u", "a", "/home/a", "/var/imap/a/_/a"},
        {"/var/imap/%1/%2/%u", "Al", "/home/al", "/var/imap/A/l/Al"},
        {"/srv/100%%/%u", "fred", "/home/fred", "/srv/100%/fred"},
        {"/var/mail/fixed", "", "", "/var/mail/fixed"},
    };
    for (const auto& c : cases) {
        INFO(c.tmpl << " user " << c.user);
        CHECK(expand_path(c.tmpl, {c.user, c.home}) == c.out);
    }
}

TEST_CASE("path expansion refuses names that would leave the user's area", "[config]") {
    struct Case {
        const char* tmpl;
        const char* user;
        const char* home;
        const char* error;
    } cases[] = {
        {"/var/mail/%u", "..", "/h", "user name \"..\" cannot be used in a path"},
        {"/var/mail/%u", ".", "/h", "user name \".\" cannot be used in a path"},
        {"/var/mail/%u", "a/b", "/h", "user name \"a/b\" cannot be used in a path"},
        {"/var/mail/%1", "", "/h", "user name \"\" cannot be used in a path"},
        {"~/mail", "fred", "", "home directory \"\" is not an absolute path"},
        {"%h/mail", "fred", "home", "home directory \"home\" is not an absolute path"},
    };
    for (const auto& c : cases) {
        INFO(c.tmpl << " user " << c.user);
        CHECK_THROWS_WITH(expand_path(c.tmpl, {c.user, c.home}), c.error);
    }
}

TEST_CASE("mail_location parses Dovecot's notation and expands per user", "[config]") {
    struct Case {
        const char* text;
        ExpandedLocation out;
    } cases[] = {
        {"mbx:%h/mail:INBOX=%h/INBOX", {"mbx", "/home/fred/mail", "/home/fred/INBOX", ""}},
        {"maildir:~/Maildir", {"maildir", "/home/fred/Maildir", "/home/fred/Maildir", ""}},
        {"unix:/var/imap/%1/%2/%u:INBOX=/var/mail/%u",
         {"unix", "/var/imap/f/r/fred", "/var/mail/fred", ""}},
        {"mbox:~/mail", {"unix", "/home/fred/mail", "/home/fred/mail/inbox", ""}},
        {"mbx:~/mail", {"mbx", "/home/fred/mail", "/home/fred/mail/inbox", ""}},
        {"maildir:/srv/a::b/%u", {"maildir", "/srv/a:b/fred", "/srv/a:b/fred", ""}},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        ExpandedLocation got = expand_location(parse_location(c.text), {"fred", "/home/fred"});
        INFO(describe(got));
        CHECK(same(got, c.out));
    }
}

TEST_CASE("bad mail locations say what is wrong", "[config]") {
    struct Case {
        const char* text;
        const char* error;
    } cases[] = {
        {"maildir", "mail location \"maildir\" is not FORMAT:PATH (FORMAT one of mbx, unix, maildir)"},
        {"maildir:", "mail location \"maildir:\" has no path"},
        {"mh:~/Mail", "unknown mailbox format \"mh\" (known: mbx, unix, maildir)"},
        {"maildir:~/Maildir:LAYOUT=fs", "unknown mail location parameter \"LAYOUT=fs\" (known: INBOX=)"},
        {"mbx:~/mail:INBOX=", "INBOX= without a path in \"mbx:~/mail:INBOX=\""},
        {"mbx:~/mail:INBOX=/a:INBOX=/b", "INBOX= given twice in \"mbx:~/mail:INBOX=/a:INBOX=/b\""},
        {"mbx:~/%n", "unknown variable %n in \"~/%n\" (known: %u %h %1 %2 %%)"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        CHECK_THROWS_WITH(parse_location(c.text), c.error);
    }
}

TEST_CASE("MAIL overrides mail_location, in either notation", "[config]") {
    TempDir dir;
    std::string home = dir.path.string();
    UserVars vars{"fred", home};
    fs::create_directories(dir.path / "Maildir" / "cur");
    fs::create_directories(dir.path / "plain-dir");
    std::ofstream(dir.path / "box.mbx") << "*mbx*\r\n00000000";
    std::ofstream(dir.path / "box.unix") << "From a@b Mon Jan  1 00:00:00 2024\n\nhi\n";
    std::ofstream(dir.path / "empty");
    const std::string conf = "mbx:%h/mail:INBOX=%h/INBOX";
    struct Case {
        const char* mail;  // nullptr: unset
        ExpandedLocation out;
    } cases[] = {
        {nullptr, {"mbx", home + "/mail", home + "/INBOX", ""}},
        {"", {"mbx", home + "/mail", home + "/INBOX", ""}},
        {"maildir:~/Maildir", {"maildir", home + "/Maildir", home + "/Maildir", ""}},
        {"~/Maildir", {"maildir", home + "/Maildir", home + "/Maildir", ""}},
        {"~/box.mbx", {"mbx", home + "/mail", home + "/box.mbx", ""}},
        {"~/box.unix", {"unix", home + "/mail", home + "/box.unix", ""}},
        {"~/empty", {"unix", home + "/mail", home + "/empty", ""}},
        {"%h/new-box", {"mbx", home + "/mail", home + "/new-box", ""}},
    };
    for (const auto& c : cases) {
        INFO((c.mail ? c.mail : "(unset)"));
        ExpandedLocation got = resolve_location(conf, vars, c.mail);
        INFO(describe(got));
        CHECK(same(got, c.out));
    }
    CHECK_THROWS_WITH(resolve_location(conf, vars, (home + "/plain-dir").c_str()),
                      "MAIL: cannot tell the mailbox format of \"" + home + "/plain-dir\"");
    CHECK_THROWS_WITH(resolve_location(conf, vars, "mdir:/x"),
                      "MAIL: unknown mailbox format \"mdir\" (known: mbx, unix, maildir)");
    Config c;
    CHECK(c.location_for(vars, "maildir:~/Maildir").format == "maildir");
}

TEST_CASE("CONFIG, the example file and the man page document every key's default", "[config]") {
    std::string config_doc = repo_file("CONFIG");
    std::string example = repo_file("docs/imapd.conf.example");
    std::string man = repo_file("docs/imapd.conf.5");
    // Documented defaults are the column-0 "key = default" lines of CONFIG
    // and the "# key = default" lines of the example.
    auto defaults_in = [](const std::string& text, std::string_view prefix) {
        std::map<std::string, std::string> found;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            if (!line.starts_with(prefix)) continue;
            line.erase(0, prefix.size());
            size_t eq = line.find(" =");
            if (eq == std::string::npos || eq == 0) continue;
            std::string name = line.substr(0, eq);
            if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos)
                continue;
            std::string value = line.substr(eq + 2);
            if (value.starts_with(' ')) value.erase(0, 1);
            found[name] = value;
        }
        return found;
    };
    auto in_config = defaults_in(config_doc, "");
    auto in_example = defaults_in(example, "# ");
    for (const KeySpec& k : config_keys()) {
        INFO(k.name);
        REQUIRE(in_config.contains(std::string(k.name)));
        CHECK(in_config[std::string(k.name)] == k.default_value);
        REQUIRE(in_example.contains(std::string(k.name)));
        CHECK(in_example[std::string(k.name)] == k.default_value);
        CHECK(man.find("\n.B " + std::string(k.name) + "\n") != std::string::npos);
    }
    for (const auto& [name, value] : in_config) {
        INFO("CONFIG documents " << name);
        CHECK(find_config_key(name) != nullptr);
    }
    // The example file itself, all comments, parses to the defaults.
    CHECK_NOTHROW(Config::parse(example, "docs/imapd.conf.example"));
}
