// VmContext: an optional VM-level hook (see RegisterVmContext in registry.h).
#pragma once

#include <cstddef>

#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

/// The VM itself: one per VM instance (Envoy starts one per worker thread for each distinct
/// VM configuration), before any plugin. onVmStart runs once, at the first
/// proxy_on_vm_start, with the VM configuration; returning false fails that start (the
/// host then refuses the plugin). The VM context lives as long as the module.
class VmContext {
 public:
  VmContext() = default;
  VmContext(const VmContext&) = delete;
  VmContext& operator=(const VmContext&) = delete;
  virtual ~VmContext() = default;

  /// Called once per VM, before the first root's RootContext::onStart(); the VM configuration
  /// (`vm_configuration_size` bytes) is readable with getBuffer(BufferType::VmConfiguration) on a
  /// root. Return false to fail the start of every plugin in this VM.
  virtual bool onVmStart(size_t vm_configuration_size) {
    (void)vm_configuration_size;
    return true;
  }
  /// The VM configuration, readable during onVmStart (the host makes the starting root
  /// effective; hosts give every plugin of the VM the same VM configuration).
  /// Statuses: Ok (empty when there is none), NotFound outside a start-up callback, InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> vmConfiguration() const {
    return detail::raw::getBufferBytes(BufferType::VmConfiguration, 0, kWholeBuffer);
  }
};

}  // namespace proxy_wasm
