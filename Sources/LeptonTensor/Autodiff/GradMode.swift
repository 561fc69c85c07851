/// Whether ops record the graph for backpropagation.
///
/// Recording is on by default; ``Tensor/withoutGrad(_:)`` turns it off for a scope, as
/// PyTorch's `torch.no_grad()` does, for inference and optimizer steps.
public enum GradMode {
    @TaskLocal static var disabled = false

    /// Whether ops record now.
    public static var isEnabled: Bool { !disabled }
}

extension Tensor {
    /// Runs `body` without recording ops for backpropagation.
    ///
    /// ```swift
    /// let prediction = Tensor.withoutGrad { model(x) }
    /// ```
    public static func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
        try GradMode.$disabled.withValue(true, operation: body)
    }
}
