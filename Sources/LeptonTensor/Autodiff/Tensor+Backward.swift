extension Tensor {
    /// Backpropagates from this tensor: accumulates into ``grad`` of every leaf that requires
    /// gradients the derivative of this tensor with respect to it (in the leaf's
    /// ``gradientDestination`` when it has one).
    ///
    /// - Parameters:
    ///   - gradient: the gradient of the final objective with respect to this tensor; may be
    ///     omitted for a one-element tensor (it is then 1).
    ///   - retainGraph: keep the recorded graph so that `backward` can run through it again.
    ///   - onLeafGradient: called with each leaf as soon as its ``grad`` is final, while the rest
    ///     of the sweep still runs (data-parallel training starts all-reducing gradients there).
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false, onLeafGradient: ((Tensor) -> Void)? = nil) {
        require(requiresGrad, "backward", "tensor does not require gradients (no input of its graph requires them)")
        let seed: Tensor
        if let gradient {
            require(gradient.shape == shape, "backward", "gradient has shape \(gradient.shape), expected \(shape)")
            seed = gradient
        } else {
            require(count == 1, "backward", "tensor has shape \(shape); pass a gradient for a tensor of more than one element")
            seed = Tensor.ones(shape, backend: backend)
        }
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        Tensor.withoutGrad {
            for tensor in order.reversed() {
                guard let g = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.gradNode else {
                    // Every consumer of a leaf comes before it in this order: its gradient is complete.
                    tensor.accumulateGradient(g)
                    onLeafGradient?(tensor)
                    continue
                }
                let inputGradients = node.gradients(g)
                for (input, inputGradient) in zip(node.inputs, inputGradients) {
                    guard input.requiresGrad, let inputGradient else { continue }
                    require(inputGradient.shape == input.shape, "backward",
                            "gradient rule of '\(node.op)' returned shape \(inputGradient.shape) for an input of shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    pending[key] = pending[key].map { $0 + inputGradient } ?? inputGradient
                }
                if !retainGraph { node.release() }
            }
        }
    }

    /// Sets ``grad`` to nil.
    public func zeroGrad() { grad = nil }

    /// Every tensor this one depends on through recorded ops (itself included) that requires
    /// gradients, each after all of its inputs.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: deep graphs (long RNNs) must not overflow the stack.
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.gradNode?.inputs ?? [] where input.requiresGrad
                && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
