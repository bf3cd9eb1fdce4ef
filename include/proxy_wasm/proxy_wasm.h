// Umbrella header: everything a plugin needs, including the module's exports.
#pragma once

#include "proxy_wasm/abi.h"
#include "proxy_wasm/buffer.h"
#include "proxy_wasm/callouts.h"
#include "proxy_wasm/context.h"
#include "proxy_wasm/exports.h"
#include "proxy_wasm/hostcalls.h"
#include "proxy_wasm/log.h"
#include "proxy_wasm/metrics.h"
#include "proxy_wasm/pairs.h"
#include "proxy_wasm/properties.h"
#include "proxy_wasm/registry.h"
#include "proxy_wasm/shared.h"
#include "proxy_wasm/status.h"
#include "proxy_wasm/types.h"
#include "proxy_wasm/vm_context.h"
