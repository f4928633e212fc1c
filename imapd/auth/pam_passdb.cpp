#include "imapd/auth/pam_passdb.hpp"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <pwd.h>

#include "imapd/auth/pam_library.hpp"

namespace mail::imapd {

namespace {

struct Credentials {
    const std::string* user;
    const std::string* password;
};

// Answers every prompt: echo-off prompts get the password, echo-on prompts
// the user name; messages are acknowledged.
int converse(int n, const pam_message** msg, pam_response** resp, void* data) {
    if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
    auto* creds = static_cast<Credentials*>(data);
    auto* r = static_cast<pam_response*>(std::calloc(static_cast<size_t>(n), sizeof(pam_response)));
    if (!r) return PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) {
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF: r[i].resp = strdup(creds->password->c_str()); break;
        case PAM_PROMPT_ECHO_ON: r[i].resp = strdup(creds->user->c_str()); break;
        case PAM_ERROR_MSG:
        case PAM_TEXT_INFO: break;
        default:
            for (int j = 0; j < i; ++j) std::free(r[j].resp);
            std::free(r);
            return PAM_CONV_ERR;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

class PamDb : public PassDb {
public:
    explicit PamDb(std::string service) : service_(std::move(service)) {}

    AuthResult authenticate(const std::string& user, const std::string& password,
                            const std::string& rhost) override {
        AuthResult r;
        const Pam* loaded = nullptr;
        try {
            loaded = &pam();
        } catch (const std::exception& e) {
            r.reason = e.what();  // logged with the failed login
            return r;
        }
        const Pam& lib = *loaded;
        Credentials creds{&user, &password};
        pam_conv conv{converse, &creds};
        pam_handle_t* pamh = nullptr;
        int rc = lib.pam_start(service_.c_str(), user.c_str(), &conv, &pamh);
        if (rc != PAM_SUCCESS) {
            r.reason = "pam_start failed for service " + service_;
            return r;
        }
        lib.pam_set_item(pamh, PAM_RHOST, rhost.c_str());
        lib.pam_set_item(pamh, PAM_TTY, "imap");  // some modules (pam_securetty) want one
        rc = lib.pam_authenticate(pamh, PAM_DISALLOW_NULL_AUTHTOK);
        if (rc == PAM_SUCCESS) rc = lib.pam_acct_mgmt(pamh, PAM_DISALLOW_NULL_AUTHTOK);
        if (rc == PAM_SUCCESS) rc = lib.pam_setcred(pamh, PAM_ESTABLISH_CRED);
        std::string name = user;
        const void* item = nullptr;
        if (rc == PAM_SUCCESS && lib.pam_get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item)
            name = static_cast<const char*>(item);
        if (rc != PAM_SUCCESS) r.reason = lib.pam_strerror(pamh, rc);
        lib.pam_end(pamh, rc);
        if (rc != PAM_SUCCESS) return r;

        const passwd* pw = getpwnam(name.c_str());
        if (!pw) {
            r.reason = "PAM accepted a user without a passwd entry";
            return r;
        }
        r.ok = true;
        r.account = {pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir};
        return r;
    }

private:
    std::string service_;
};

}  // namespace

std::unique_ptr<PassDb> make_pam_db(std::string service) {
    return std::make_unique<PamDb>(std::move(service));
}

}  // namespace mail::imapd
