// Unit A of the two-unit plugin: the root context and its registration.
#include <proxy_wasm/proxy_wasm.h>

#include "two_units.h"

bool TwoUnitsRoot::onStart(size_t) {
  proxy_wasm::logInfo("unit a: start");
  return true;
}

static proxy_wasm::RegisterContextFactory<TwoUnitsRoot, TwoUnitsHttp> registration{""};
