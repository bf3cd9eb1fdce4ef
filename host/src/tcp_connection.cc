// TCP connections: Envoy's network-filter behaviour around the plugin (tcp_connection.h).
#include "proxy_wasm/host/model.h"

#include "util.h"

namespace proxy_wasm::host {

TcpConnection& Model::newConnection(uint32_t root_id) {
  const uint32_t root = defaultRoot(root_id);
  const uint32_t id = nextContextId();
  releaseFinished();
  const uint64_t seq = next_stream_seq_++;
  auto& slot = live_connections_[seq];
  slot.reset(new TcpConnection(this, id, root, seq));
  TcpConnection& c = *slot;
  contexts_[id] = ContextRecord{id, root, ContextRecord::Tcp, nullptr, &c};
  call(Callback::ContextCreate, id, {id, root});
  auto a = call(Callback::NewConnection, id, {id});
  c.new_connection_action_ = (a && *a == 0) ? Action::Continue : Action::Pause;
  if (!a) c.closed_ = true;  // fail closed
  runDeferred();
  return c;
}

Action TcpConnection::sendDownstreamData(std::string_view data, bool end_of_stream) {
  return sendData(true, data, end_of_stream);
}

Action TcpConnection::sendUpstreamData(std::string_view data, bool end_of_stream) {
  return sendData(false, data, end_of_stream);
}

Action TcpConnection::sendData(bool downstream, std::string_view data, bool end_of_stream) {
  if (finished_ || closed_) return Action::Continue;
  Direction& d = downstream ? downstream_ : upstream_;
  d.buffer.append(data);
  bool& in = downstream ? in_downstream_ : in_upstream_;
  in = true;
  auto r = model_->call(downstream ? Callback::DownstreamData : Callback::UpstreamData, id_,
                       {id_, uint32_t(d.buffer.size()), end_of_stream ? 1u : 0u});
  in = false;
  const Action a = toAction(r);
  if (!r) {
    closed_ = true;  // fail closed
  } else if (a == Action::Continue) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.paused = false;
  } else {
    d.paused = true;
  }
  if (!downstream && end_of_stream && !finished_) {
    // Envoy (onWrite): an upstream write with end of stream reports the upstream close.
    model_->call(Callback::UpstreamConnectionClose, id_, {id_, uint32_t(PeerType::Unknown)});
  }
  model_->runDeferred();
  return a;
}

void TcpConnection::closeDownstream(PeerType peer) {
  if (finished_ || pending_done_) return;
  model_->call(Callback::DownstreamConnectionClose, id_, {id_, uint32_t(peer)});
  // Envoy's onCloseTCP: the downstream close ends the connection's context right away.
  model_->finalizeTcp(*this);
  model_->runDeferred();
}

void TcpConnection::closeUpstream(PeerType peer) {
  if (finished_ || pending_done_) return;
  model_->call(Callback::UpstreamConnectionClose, id_, {id_, uint32_t(peer)});
  model_->runDeferred();
}

void TcpConnection::setProperty(std::string_view path, std::string_view value) {
  properties_[std::string(path)] = std::string(value);
}

void TcpConnection::finish() {
  if (finished_ || pending_done_) return;
  model_->finalizeTcp(*this);
}

void Model::finalizeTcp(TcpConnection& c) {
  const uint32_t id = c.id_;
  auto done = call(Callback::Done, id, {id});  // Envoy ignores the result
  if (options_.http_finalization == Finalization::Spec && done && *done == 0) {
    c.pending_done_ = true;  // the spec: on_log and on_delete wait for proxy_done
    runDeferred();
    return;
  }
  logAndDeleteTcp(c);
  runDeferred();
}

void Model::logAndDeleteTcp(TcpConnection& c) {
  const uint32_t id = c.id_;
  c.pending_done_ = false;
  call(Callback::Log, id, {id});
  call(Callback::Delete, id, {id});
  c.finished_ = true;
  contexts_.erase(id);
  retire(c);
}

}  // namespace proxy_wasm::host
