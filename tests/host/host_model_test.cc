// The host model driven natively through the test plugin (see host_abi_test.cc for the
// adapter-level suite). Filled in below.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include "../sdk/test_plugin.h"
