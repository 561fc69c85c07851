/// Gradient destinations: memory chosen in advance where backward puts a leaf's gradient
/// (data-parallel training's all-reduce bucket, as PyTorch DDP's `gradient_as_bucket_view`).
///
/// With a destination, a leaf's ``grad`` after backward is the destination itself. Gradient rules
/// that make a parameter's gradient in one kernel (``dense(_:bias:)``, 2-D ``matmul(_:)``,
/// ``conv2d(_:bias:stride:padding:dilation:groups:channelsLast:)``, ``convTranspose2d(_:bias:stride:padding:outputPadding:dilation:groups:)``,
/// ``layerNorm(gamma:beta:epsilon:)``) write it there directly; any other gradient
/// is copied in when the leaf's gradient is final. A gradient already there (a second backward
/// without ``zeroGrad()``) is added to in place. Without a destination nothing changes.
extension Tensor {
    /// Makes backward put this leaf's gradient into `destination` (a float32 tensor of this
    /// tensor's shape, usually a view into a larger buffer, ``init(viewing:floatOffset:shape:)``)
    /// instead of a new tensor; nil: new tensors again.
    ///
    /// ```swift
    /// w.writeGradients(into: Tensor(viewing: bucket, floatOffset: 0, shape: w.shape))
    /// loss.backward()              // w.grad is that view, written by the kernel that made it
    /// ```
    public func writeGradients(into destination: Tensor?) {
        if let destination {
            require(dtype == .float32 && destination.dtype == .float32 && destination.shape == shape, "writeGradients(into:)",
                    "destination is \(destination.dtype) \(destination.shape), expected float32 \(shape) (this tensor is \(dtype))")
        }
        gradientDestination = destination
        gradientDestinationClaimed = false
    }

    /// The tensor a gradient rule writes the whole gradient of `input` into: the leaf's
    /// ``gradientDestination`` when this gradient can go straight there (the leaf holds no
    /// gradient yet and no other rule of this sweep wrote there: a parameter used twice gets it
    /// once, backward adds its other contributions), else a new uninitialised tensor.
    static func gradientBuffer(for input: Tensor) -> Tensor {
        if let destination = input.gradientDestination, input.isLeaf, input.grad == nil, !input.gradientDestinationClaimed {
            input.gradientDestinationClaimed = true
            return destination
        }
        return Tensor(uninitializedShape: input.shape, backend: input.backend)
    }

    /// Adds `gradient`, this leaf's complete gradient of one backward sweep, to ``grad``: into
    /// the ``gradientDestination`` when there is one (no copy when a rule wrote it there).
    func accumulateGradient(_ gradient: Tensor) {
        gradientDestinationClaimed = false
        guard let destination = gradientDestination else {
            grad = grad.map { $0 + gradient } ?? gradient
            return
        }
        let target = destination.floats
        if let grad {
            // In place when `grad` is the destination (or a view of it), as DDP's accumulation.
            backend.binary(.add, grad.floats, aStrides: [1], gradient.floats, bStrides: [1], target, shape: [count])
        } else if UnsafePointer(gradient.floats) != UnsafePointer(target) {
            target.update(from: gradient.floats, count: count)
        }
        grad = destination
    }
}
