/// Which backend new tensors are created on.
///
/// Ops run on the backend of their inputs; creation functions (`zeros`, `Tensor([...])`,
/// random tensors) use ``current``, the CPU backend unless a scope says otherwise:
///
/// ```swift
/// Device.with(ReferenceBackend.shared) {
///     let x = Tensor.ones([2, 2])   // on the reference backend
/// }
/// ```
public enum Device {
    @TaskLocal static var scoped: (any Backend)?

    /// The backend that creation functions use now.
    public static var current: any Backend { scoped ?? CPUBackend.shared }

    /// Runs `body` with `backend` as the current backend.
    public static func with<R>(_ backend: any Backend, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(backend, operation: body)
    }
}
