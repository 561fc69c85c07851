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

    /// What keeps borrowed memory alive (nil: this storage allocated it and frees it).
    private let owner: AnyObject?

    /// Allocates `byteCount` bytes (uninitialised) on `backend`.
    public init(byteCount: Int, backend: any Backend) {
        self.byteCount = byteCount
        self.backend = backend
        self.pointer = backend.allocate(byteCount: max(byteCount, 1))
        owner = nil
    }

    /// Memory inside `owner`'s (a gradient bucket of data-parallel training: gradients as views
    /// into it, never copied out); `owner` lives as long as this storage, which frees nothing.
    /// - Parameters:
    ///   - pointer: the first byte, inside memory `owner` keeps alive on `backend`.
    ///   - byteCount: the bytes from `pointer` on that belong to this storage.
    public init(borrowing pointer: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject, backend: any Backend) {
        self.pointer = pointer
        self.byteCount = byteCount
        self.backend = backend
        self.owner = owner
    }

    deinit { if owner == nil { backend.deallocate(pointer, byteCount: max(byteCount, 1)) } }
}
