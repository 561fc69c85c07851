/// A block of memory that holds a tensor's elements, owned by the backend that allocated it.
///
/// Storage is a class so that several tensors (a tensor and its reshaped view) can share
/// one allocation; it hands its memory back to its backend when the last user goes.
public final class Storage: @unchecked Sendable {
    /// Start of the elements.
    public let pointer: UnsafeMutableRawPointer
    /// Size of the allocation in bytes.
    public let byteCount: Int
    /// The backend whose memory this is.
    public let backend: any Backend

    /// Allocates `byteCount` bytes (uninitialised) on `backend`.
    public init(byteCount: Int, backend: any Backend) {
        self.byteCount = byteCount
        self.backend = backend
        self.pointer = backend.allocate(byteCount: max(byteCount, 1))
    }

    deinit { backend.deallocate(pointer, byteCount: max(byteCount, 1)) }
}
