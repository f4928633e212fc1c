#include "imapd/protocol/select_params.hpp"

#include <strings.h>

#include "imapd/protocol/parse_error.hpp"

namespace mail::imapd {

namespace {

QresyncParams parse_qresync(ArgReader& args) {
    QresyncParams q;
    args.open_paren();
    q.uidvalidity = args.nz_number();
    args.sp();
    q.modseq = args.number64();
    if (q.modseq == 0) throw ParseError("QRESYNC mod-sequence must not be 0");
    if (args.try_sp()) {
        if (args.try_char('(')) {
            q.match_seqs = args.sequence_set();
            args.sp();
            q.match_uids = args.sequence_set();
            args.close_paren();
        } else {
            q.known_uids = args.sequence_set();
            if (args.try_sp()) {
                args.open_paren();
                q.match_seqs = args.sequence_set();
                args.sp();
                q.match_uids = args.sequence_set();
                args.close_paren();
            }
        }
    }
    args.close_paren();
    for (const auto* set : {&q.known_uids, &q.match_seqs, &q.match_uids})
        if (*set && (*set)->is_saved()) throw ParseError("$ is not allowed in QRESYNC");
    return q;
}

}  // namespace

SelectParams parse_select_params(ArgReader& args) {
    SelectParams p;
    if (args.try_sp()) {
        args.open_paren();
        do {
            args.count_item();
            std::string name = args.atom();
            if (strcasecmp(name.c_str(), "CONDSTORE") == 0) {
                p.condstore = true;
            } else if (strcasecmp(name.c_str(), "QRESYNC") == 0) {
                if (p.qresync) throw ParseError("QRESYNC given twice");
                args.sp();
                p.qresync = parse_qresync(args);
            } else {
                throw ParseError("Unknown SELECT parameter " + name.substr(0, 40));
            }
        } while (args.try_sp());
        args.close_paren();
    }
    args.end();
    return p;
}

}  // namespace mail::imapd
