// One TCP connection as Envoy's network filter drives it through the plugin. Obtained
// from Host::newConnection().
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "proxy_wasm/abi/v0_2_1.h"

namespace proxy_wasm::host {

class Model;

// One TCP connection. Obtained from Host::newConnection().
class TcpConnection {
 public:
  uint32_t id() const { return id_; }
  Action newConnectionAction() const { return new_connection_action_; }
  Action sendDownstreamData(std::string_view data, bool end_of_stream = false);
  Action sendUpstreamData(std::string_view data, bool end_of_stream = false);
  // The downstream connection closed: on_downstream_connection_close(peer), then the
  // connection is finalized at once (Envoy's onCloseTCP).
  void closeDownstream(PeerType peer = PeerType::Remote);
  // The upstream connection closed: on_upstream_connection_close(peer). Envoy reports an
  // upstream write with end of stream this way too (see sendUpstreamData).
  void closeUpstream(PeerType peer = PeerType::Unknown);
  const std::string& forwardedDownstream() const { return downstream_.forwarded; }  // toward upstream
  const std::string& forwardedUpstream() const { return upstream_.forwarded; }      // toward downstream
  const std::string& bufferedDownstream() const { return downstream_.buffer; }
  const std::string& bufferedUpstream() const { return upstream_.buffer; }
  // The plugin asked to close (proxy_close_stream: Envoy closes the downstream connection
  // with FlushWrite, so on_downstream_connection_close(Local) and finalization follow), or
  // it trapped (fail-closed).
  bool closed() const { return closed_; }
  bool finished() const { return finished_; }
  void setProperty(std::string_view path, std::string_view value);
  // Ends the connection: on_done, on_log, on_delete. closeDownstream() does it too, right
  // after on_downstream_connection_close, as Envoy does.
  void finish();

 private:
  friend class Model;
  struct Direction {
    std::string buffer, forwarded;
    bool paused = false;
  };
  TcpConnection(Model* model, uint32_t id, uint32_t root, uint64_t seq) : model_(model), id_(id), root_(root), seq_(seq) {}
  Action sendData(bool downstream, std::string_view data, bool end_of_stream);

  Model* model_;
  uint32_t id_;
  uint32_t root_;
  uint64_t seq_ = 0;  // creation order (the model's connection table)
  Action new_connection_action_ = Action::Continue;
  Direction downstream_, upstream_;
  bool in_downstream_ = false, in_upstream_ = false;
  bool closed_ = false;
  bool finished_ = false;
  bool pending_done_ = false;  // spec finalization: on_done returned false
  std::map<std::string, std::string> properties_;
  std::map<std::string, std::string> filter_state_;
};

}  // namespace proxy_wasm::host
