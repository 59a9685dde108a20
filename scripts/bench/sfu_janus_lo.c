/* LD_PRELOAD shim for the SFU benchmark (scripts/bench/sfu_janus.py), compiled at bench
 * time into a temporary folder, never committed as a binary.
 *
 * Janus 1.1 skips interfaces flagged IFF_LOOPBACK when gathering ICE candidates
 * (janus_ice_setup_local in src/ice.c), so a loopback-only benchmark cannot reach it.
 * This wrapper clears that flag in what getifaddrs() returns, for the Janus process only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stddef.h>

int getifaddrs(struct ifaddrs **ifap) {
    static int (*real)(struct ifaddrs **) = NULL;
    if (real == NULL)
        real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    int rc = real(ifap);
    if (rc == 0)
        for (struct ifaddrs *ifa = *ifap; ifa != NULL; ifa = ifa->ifa_next)
            ifa->ifa_flags &= ~(unsigned int)IFF_LOOPBACK;
    return rc;
}
