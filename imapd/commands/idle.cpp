// IDLE (RFC 2177): reports mailbox changes as they happen until the client
// sends DONE. Waits on the client and on the mailbox's change_fd()
// (inotify), and re-checks the mailbox every idle_sync seconds in case a
// change was missed; ends the session after autologout without input.
#include <chrono>
#include <poll.h>
#include <strings.h>
#include <unistd.h>

#include "imapd/session/session.hpp"

namespace mail::imapd {

namespace {

// Empties the inotify descriptor so that poll() sleeps until the next change.
void drain(int fd) {
    char buf[4096];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
        if (::read(fd, buf, sizeof buf) <= 0) break;
    }
}

}  // namespace

Reply cmd_idle(CommandContext& ctx) {
    using Clock = std::chrono::steady_clock;
    ctx.args.end();
    Session& s = ctx.session;
    // Watch before the first sync and the continuation: a change made right
    // after the client saw "+ idling" would otherwise wait for idle_sync.
    if (s.mailbox()) s.mailbox()->change_fd();
    s.sync_mailbox(true);
    s.continuation("idling");
    const auto sync_every = std::chrono::duration_cast<std::chrono::milliseconds>(s.options().idle_sync);
    const auto logout_at = Clock::now() + s.options().autologout;
    auto next_sync = Clock::now() + sync_every;
    for (;;) {
        if (auto line = s.reader().take_line()) {
            if (strcasecmp(line->c_str(), "DONE") == 0) return Reply::ok("IDLE terminated");
            return Reply::bad("Expected DONE to end IDLE");
        }
        auto now = Clock::now();
        if (now >= logout_at) {
            s.untagged("BYE Autologout; idle for too long");
            s.set_state(State::Logout);
            return Reply::ok("IDLE terminated");
        }
        if (now >= next_sync) {
            s.sync_mailbox(true);
            s.flush();
            next_sync = now + sync_every;
        }
        auto until = std::min(next_sync, logout_at);
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
        int fd = s.mailbox() ? s.mailbox()->change_fd() : -1;
        switch (s.transport().wait(fd, static_cast<int>(ms))) {
        case Transport::Wait::Input:
            if (!s.read_some()) return Reply::ok("IDLE terminated");  // client gone
            break;
        case Transport::Wait::Other:
            drain(fd);
            s.sync_mailbox(true);
            s.flush();
            break;
        case Transport::Wait::Timeout:
            break;
        }
    }
}

}  // namespace mail::imapd
