// The registry of compiled-in drivers. A new format adds itself here.
#include "mailbox/driver.hpp"

#include "drivers/maildir/driver.hpp"
#include "drivers/mbx/driver.hpp"
#include "drivers/unix/driver.hpp"

namespace mail {

const std::vector<Driver*>& all_drivers() {
    static maildir::MaildirDriver maildir_driver;
    static mbx::MbxDriver mbx_driver;
    static unixmbox::UnixDriver unix_driver;  // after mbx: it asks only about From lines
    static const std::vector<Driver*> drivers{&maildir_driver, &mbx_driver, &unix_driver};
    return drivers;
}

Driver* driver_by_name(std::string_view name) {
    for (Driver* d : all_drivers())
        if (d->name() == name) return d;
    return nullptr;
}

Driver* driver_for_path(const std::string& path) {
    for (Driver* d : all_drivers())
        if (d->recognizes(path)) return d;
    return nullptr;
}

}  // namespace mail
