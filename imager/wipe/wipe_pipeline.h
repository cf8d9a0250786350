// Two threads over a small ring of aligned buffers: a producer (pattern generator, or device
// reader) works ahead of the consumer (device writer, or comparer) so that the device never waits
// for the CPU and the CPU never waits for the device more than it must.
//
// Contract: produce(k, buffer) runs on a helper thread for k = 0, 1, ... count-1 in order;
// consume(k, buffer) runs on the calling thread in the same order, with the buffer produce(k)
// filled. At most `slots` chunks are in flight. Either function returning false stops the run
// early; so does control->cancel (checked at least every 100 ms while waiting). run() joins the
// helper before it returns, and rethrows an exception thrown by produce.
#pragma once

#include "imager/disk/block_device.h"
#include "imager/wipe/wipe_io.h"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace atelier::imager {

class ChunkPipeline {
public:
  using Stage = std::function<bool(std::uint64_t index, std::span<std::byte> buffer)>;
  ChunkPipeline(std::size_t slots, std::size_t slot_bytes);
  // Returns true when every chunk was consumed.
  bool run(std::uint64_t count, const Stage& produce, const Stage& consume, WipeControl* control);
  std::size_t slots() const { return m_buffers.size(); }
  std::span<std::byte> buffer(std::uint64_t index) {
    return m_buffers[index % m_buffers.size()].span();
  }

private:
  std::vector<AlignedBuffer> m_buffers;
};

} // namespace atelier::imager
