extension Tensor {
    /// A float32 tensor over `count(shape)` floats at `offset` in `storage` (no copy): writes
    /// through either are seen by both. Data-parallel training hands out gradients this way,
    /// as views into the bucket they were all-reduced in (PyTorch DDP's `gradient_as_bucket_view`).
    /// - Parameters:
    ///   - storage: memory holding at least `offset + count(shape)` floats.
    ///   - offset: the first float of the tensor in `storage`.
    ///   - shape: the tensor's shape.
    public convenience init(viewing storage: Storage, floatOffset offset: Int, shape: [Int]) {
        let count = Shape.count(shape)
        require(offset >= 0 && (offset + count) * MemoryLayout<Float>.size <= storage.byteCount, "Tensor(viewing:)",
                "floats \(offset)..<\(offset + count) do not fit in a storage of \(storage.byteCount) bytes")
        let start = storage.pointer.advanced(by: offset * MemoryLayout<Float>.size)
        self.init(shape: shape, dtype: .float32,
                  storage: Storage(borrowing: start, byteCount: count * MemoryLayout<Float>.size, owner: storage, backend: storage.backend))
    }
}
