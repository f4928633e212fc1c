// passwd-file, password schemes, SASL, admin files, and LOGIN/AUTHENTICATE
// through a session with a fake password database [login].
#include <catch2/catch.hpp>

#include <crypt.h>
#include <cstdio>
#include <deque>
#include <fstream>
#include <unistd.h>

#include "imapd/auth/admin_files.hpp"
#include "imapd/auth/login_service.hpp"
#include "imapd/auth/passwd_file.hpp"
#include "imapd/auth/sasl.hpp"
#include "imapd/log/log.hpp"
#include "imapd/session/session.hpp"

using namespace mail::imapd;

namespace {

std::string temp_file(const std::string& text) {
    char path[] = "/tmp/auth-login-test-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fd);
    return path;
}

class ScriptTransport : public Transport {
public:
    explicit ScriptTransport(std::vector<std::string> chunks) : chunks_(chunks.begin(), chunks.end()) {}
    size_t read(char* buf, size_t n) override {
        if (chunks_.empty()) return 0;
        std::string& c = chunks_.front();
        size_t k = std::min(n, c.size());
        c.copy(buf, k);
        c.erase(0, k);
        if (c.empty()) chunks_.pop_front();
        return k;
    }
    bool write(std::string_view data) override {
        out += data;
        return true;
    }
    Wait wait(int, int) override { return Wait::Input; }
    std::string out;

private:
    std::deque<std::string> chunks_;
};

class FakeDb : public PassDb {
public:
    AuthResult authenticate(const std::string& user, const std::string& password,
                            const std::string&) override {
        ++calls;
        AuthResult r;
        if (user == "fred" && password == "secret") {
            r.ok = true;
            r.account = {"fred", 1000, 1000, "/home/fred"};
        } else {
            r.reason = "wrong password";
        }
        return r;
    }
    int calls = 0;
};

struct Run {
    std::string out;
    std::string user;
    int db_calls = 0;
    int logins = 0;
};

Run run_session(std::vector<std::string> input, bool loopback, std::string plaintext = "localhost") {
    ScriptTransport t(std::move(input));
    FakeDb db;
    Log log("/dev/null");
    ClientAddress client;
    client.host = loopback ? "127.0.0.1" : "192.0.2.7";
    client.is_socket = true;
    client.loopback = loopback;
    LoginSettings settings;
    settings.plaintext_auth = plaintext;
    settings.failure_delay = std::chrono::milliseconds(1);
    settings.switch_user = false;
    Run run;
    LoginService service(settings, db, log, client, nullptr, nullptr,
                         [&](Session&, const Account&) { ++run.logins; });
    SessionOptions options;
    options.login = &service;
    Session session(t, options);
    session.greet();
    session.run();
    run.out = t.out;
    run.user = service.user();
    run.db_calls = db.calls;
    return run;
}

bool has(const std::string& out, const std::string& text) { return out.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("passwd-file lines in Dovecot's format", "[login]") {
    auto e = parse_passwd_file_line("fred:{PLAIN}pw:1000:100::/home/fred::userdb_x=y\n");
    REQUIRE(e);
    CHECK(e->user == "fred");
    CHECK(e->password == "{PLAIN}pw");
    CHECK(e->uid == "1000");
    CHECK(e->gid == "100");
    CHECK(e->home == "/home/fred");
    auto short_line = parse_passwd_file_line("bob:{PLAIN}x");
    REQUIRE(short_line);
    CHECK(short_line->uid.empty());
    CHECK_FALSE(parse_passwd_file_line("# comment"));
    CHECK_FALSE(parse_passwd_file_line(""));
    CHECK_FALSE(parse_passwd_file_line(":nouser"));
}

TEST_CASE("password schemes", "[login]") {
    crypt_data cd{};
    std::string sha512crypt = crypt_r("pw", "$6$saltsalt$", &cd);
    struct Case { std::string stored, password; bool ok; };
    const Case cases[] = {
        {"{PLAIN}pw", "pw", true},
        {"{PLAIN}pw", "px", false},
        {"{CLEARTEXT}pw", "pw", true},
        {"{plain}pw", "pw", true},
        {"{SHA512-CRYPT}" + sha512crypt, "pw", true},
        {"{SHA512-CRYPT}" + sha512crypt, "wrong", false},
        {sha512crypt, "pw", true},  // no scheme: CRYPT
        // echo -n pw | openssl dgst -sha256 -binary | base64
        {"{SHA256}MMlS+rEiw/l1nwKm2Vw3WLJGtP7iOZV7LU/uRuJhcMQ=", "pw", true},
        {"{SHA256}MMlS+rEiw/l1nwKm2Vw3WLJGtP7iOZV7LU/uRuJhcMQ=", "pW", false},
        {"{PLAIN}", "", false},          // empty password never matches
        {"{UNKNOWN}pw", "pw", false},
        {"{PLAIN", "pw", false},
        {"!locked", "pw", false},
    };
    for (const auto& c : cases) {
        INFO(c.stored);
        CHECK(verify_password(c.stored, c.password) == c.ok);
    }
}

TEST_CASE("passwd-file database", "[login]") {
    std::string path = temp_file(
        "# users\n"
        "fred:{PLAIN}secret:1000:1000::/home/fred::\n"
        "root2:{PLAIN}secret:0:0::/root::\n"
        "nohome:{PLAIN}secret:1000:1000::::\n");
    auto db = make_passwd_file_db(path);
    CHECK(db->authenticate("fred", "secret", "h").ok);
    CHECK(db->authenticate("fred", "secret", "h").account.home == "/home/fred");
    CHECK(db->authenticate("fred", "secret", "h").account.uid == 1000);
    CHECK_FALSE(db->authenticate("fred", "Secret", "h").ok);
    CHECK_FALSE(db->authenticate("root2", "secret", "h").ok);  // uid 0 refused
    CHECK_FALSE(db->authenticate("nohome", "secret", "h").ok);
    CHECK(db->authenticate("ghost", "x", "h").reason == "unknown user");
    std::remove(path.c_str());
    CHECK_FALSE(db->authenticate("fred", "secret", "h").ok);
}

TEST_CASE("SASL base64 and PLAIN", "[login]") {
    struct Case { std::string in; std::optional<std::string> out; };
    const Case cases[] = {
        {"=", ""},
        {"Zm9v", "foo"},
        {"Zm8=", "fo"},
        {"Zg==", "f"},
        {"Zg=", std::nullopt},
        {"Z===", std::nullopt},
        {"Zm9v!A==", std::nullopt},
        {"Zg==Zg==", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.in);
        CHECK(sasl_base64_decode(c.in) == c.out);
    }
    CHECK(sasl_base64_encode("Password:") == "UGFzc3dvcmQ6");
    CHECK(sasl_base64_encode("") == "");
    auto p = parse_sasl_plain(std::string("\0fred\0secret", 12));
    REQUIRE(p);
    CHECK(p->authzid.empty());
    CHECK(p->authcid == "fred");
    CHECK(p->password == "secret");
    CHECK_FALSE(parse_sasl_plain("fred"));
    CHECK_FALSE(parse_sasl_plain(std::string("\0\0pw", 4)));
    CHECK_FALSE(parse_sasl_plain(std::string("a\0b\0c\0d", 7)));
}

TEST_CASE("admin files", "[login]") {
    CHECK_FALSE(read_admin_file(""));
    CHECK_FALSE(read_admin_file("/nonexistent/imapd.alert"));
    std::string path = temp_file("System going down\r\nat 5pm\x01\n");
    CHECK(read_admin_file(path) == "System going down at 5pm");
    std::remove(path.c_str());
    path = temp_file("");
    CHECK(read_admin_file(path) == "");
    std::remove(path.c_str());
}

TEST_CASE("capabilities and LOGIN before TLS follow plaintext_auth", "[login]") {
    // Remote client, plaintext_auth=localhost: LOGINDISABLED, LOGIN refused
    // without asking the password database.
    Run remote = run_session({"a CAPABILITY\r\nb LOGIN fred secret\r\nc LOGOUT\r\n"}, false);
    CHECK(has(remote.out, "LOGINDISABLED"));
    CHECK_FALSE(has(remote.out, "AUTH=PLAIN"));
    CHECK(has(remote.out, "b NO [PRIVACYREQUIRED]"));
    CHECK(remote.db_calls == 0);
    CHECK(remote.user.empty());

    Run local = run_session({"a CAPABILITY\r\nb LOGIN fred secret\r\nc LOGOUT\r\n"}, true);
    CHECK_FALSE(has(local.out, "LOGINDISABLED"));
    CHECK(has(local.out, "AUTH=PLAIN AUTH=LOGIN SASL-IR"));
    CHECK(has(local.out, "b OK [CAPABILITY IMAP4rev1"));
    CHECK(local.user == "fred");
    CHECK(local.logins == 1);

    Run yes = run_session({"b LOGIN fred secret\r\n"}, false, "yes");
    CHECK(has(yes.out, "b OK"));
    Run no = run_session({"b LOGIN fred secret\r\n"}, true, "no");
    CHECK(has(no.out, "b NO [PRIVACYREQUIRED]"));
}

TEST_CASE("failed logins are refused and limited", "[login]") {
    Run r = run_session({"a LOGIN fred x\r\nb LOGIN fred y\r\nc LOGIN fred z\r\nd LOGIN fred secret\r\n"},
                        true);
    CHECK(has(r.out, "a NO [AUTHENTICATIONFAILED]"));
    CHECK(has(r.out, "c NO [AUTHENTICATIONFAILED]"));
    CHECK(has(r.out, "* BYE Too many failed logins"));
    CHECK_FALSE(has(r.out, "d OK"));
    CHECK(r.db_calls == 3);
    CHECK(r.user.empty());
}

TEST_CASE("AUTHENTICATE PLAIN and LOGIN, with and without SASL-IR", "[login]") {
    // "\0fred\0secret" = AGZyZWQAc2VjcmV0
    Run ir = run_session({"a AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n"}, true);
    CHECK(has(ir.out, "a OK"));
    CHECK(ir.user == "fred");

    Run plain = run_session({"a AUTHENTICATE PLAIN\r\n", "AGZyZWQAc2VjcmV0\r\n"}, true);
    CHECK(has(plain.out, "+ \r\n"));
    CHECK(has(plain.out, "a OK"));

    // fred = ZnJlZA==, secret = c2VjcmV0
    Run login = run_session({"a AUTHENTICATE LOGIN\r\n", "ZnJlZA==\r\n", "c2VjcmV0\r\n"}, true);
    CHECK(has(login.out, "+ VXNlcm5hbWU6\r\n"));
    CHECK(has(login.out, "+ UGFzc3dvcmQ6\r\n"));
    CHECK(has(login.out, "a OK"));
    CHECK(login.user == "fred");

    Run cancelled = run_session({"a AUTHENTICATE PLAIN\r\n", "*\r\n", "b NOOP\r\n"}, true);
    CHECK(has(cancelled.out, "a BAD"));
    CHECK(has(cancelled.out, "b OK"));

    Run garbage = run_session({"a AUTHENTICATE PLAIN !!!!\r\n"}, true);
    CHECK(has(garbage.out, "a BAD"));
    Run unknown = run_session({"a AUTHENTICATE CRAM-MD5\r\n"}, true);
    CHECK(has(unknown.out, "a NO"));
    Run remote = run_session({"a AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n"}, false);
    CHECK(has(remote.out, "a NO [PRIVACYREQUIRED]"));
    CHECK(remote.db_calls == 0);
}

TEST_CASE("STARTTLS without a certificate is refused", "[login]") {
    Run r = run_session({"a CAPABILITY\r\nb STARTTLS\r\n"}, false);
    CHECK_FALSE(has(r.out, "LITERAL+ STARTTLS"));
    CHECK(has(r.out, "LOGINDISABLED"));
    CHECK(has(r.out, "b BAD"));
}
