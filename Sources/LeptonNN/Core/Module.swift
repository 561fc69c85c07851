import LeptonTensor

/// The base class of layers and models: it owns parameters and buffers and finds those of its
/// sub-modules by reflection, so a model never keeps a hand-written parameter list.
///
/// Stored properties of type `Tensor` (or `Tensor?`, `[Tensor]`) are parameters, except those
/// named in ``bufferNames`` (state such as batch-norm running statistics). Stored properties of
/// type `Module` (or `Module?`, `[Module]`) are sub-modules. Names follow the property path, as
/// in PyTorch's `state_dict`: `"layers.0.weight"`.
///
/// ```swift
/// final class TwoLayer: Module {
///     let hidden = Dense(units: 64, activation: .relu)
///     let output = Dense(units: 10)
///     override func forward(_ x: Tensor) -> Tensor { output(hidden(x)) }
/// }
/// ```
open class Module {
    /// Training mode (dropout active, batch-norm uses batch statistics) or evaluation mode.
    public private(set) var isTraining = true

    /// A name given by the user (Keras's `name=`), used to find the layer in a model (feature
    /// extraction) and kept in model files; a ``Sequential`` model names the others `dense`,
    /// `dense_1`, … (see `Sequential.layerNames`).
    public var name: String?

    /// What a training library keeps with the module once it is compiled (LeptonTrain's
    /// optimizer, loss, metrics and shuffle seed); LeptonNN never reads it, and it is neither a
    /// parameter nor a sub-module.
    public final var trainingSetup: AnyObject?

    public init() {}

    /// Sets ``name`` and returns the module, for use inside a layer list:
    /// `Dense(units: 64, activation: .relu).named("features")`.
    @discardableResult
    public func named(_ name: String) -> Self {
        self.name = name
        return self
    }

    /// Names of stored tensors that are state, not trainable parameters.
    open var bufferNames: Set<String> { [] }

    /// Runs the module on one input. Layers override this; building lazily from the first
    /// input's shape when their sizes were not given.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not implement forward(_:)")
    }

    /// Runs ``forward(_:)``.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input) }

    // MARK: Reflection

    /// Direct sub-modules with their property names.
    public func namedChildren() -> [(String, Module)] {
        var result: [(String, Module)] = []
        forEachStoredProperty { label, value in
            if let m = value as? Module {
                result.append((label, m))
            } else if let ms = value as? [Module] {
                for (i, m) in ms.enumerated() { result.append(("\(label).\(i)", m)) }
            }
        }
        return result
    }

    /// Tensors stored directly on this module (not its children), with their names.
    func ownTensors() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        forEachStoredProperty { label, value in
            if let t = value as? Tensor {
                result.append((label, t))
            } else if let ts = value as? [Tensor] {
                for (i, t) in ts.enumerated() { result.append(("\(label).\(i)", t)) }
            }
        }
        return result
    }

    /// Calls `body` with each stored property that may hold a tensor or a module (see
    /// ``ModuleFieldTable``; every property when the class has no table).
    private func forEachStoredProperty(_ body: (String, Any) -> Void) {
        if let table = ModuleFieldTable.table(for: self) {
            table.visit(self) { label, value in body(Module.propertyName(label), value) }
        } else {
            forEveryStoredProperty(body)
        }
    }

    /// Calls `body` with every stored property, through the instance's mirror.
    private func forEveryStoredProperty(_ body: (String, Any) -> Void) {
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            for child in m.children {
                guard let label = child.label else { continue }
                body(Module.propertyName(label), child.value)
            }
            mirror = m.superclassMirror
        }
    }

    /// A stored property's name as parameters are named: a property wrapper's storage
    /// (`_weight`) by its property (`weight`).
    private static func propertyName(_ label: String) -> String {
        label.hasPrefix("_") ? String(label.dropFirst()) : label
    }

    /// Every module in the tree (this one first), with its dotted path.
    public func namedModules(prefix: String = "") -> [(String, Module)] {
        var result = [(prefix, self)]
        for (name, child) in namedChildren() {
            result += child.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
        }
        return result
    }

    /// Every parameter (frozen ones included), with its dotted name.
    public func namedParameters() -> [(String, Tensor)] {
        namedModules().flatMap { path, module in
            module.ownTensors().filter { !module.bufferNames.contains($0.0) }
                .map { (path.isEmpty ? $0.0 : "\(path).\($0.0)", $0.1) }
        }
    }

    /// Every buffer (state that is not trained), with its dotted name.
    public func namedBuffers() -> [(String, Tensor)] {
        namedModules().flatMap { path, module in
            module.ownTensors().filter { module.bufferNames.contains($0.0) }
                .map { (path.isEmpty ? $0.0 : "\(path).\($0.0)", $0.1) }
        }
    }

    /// Parameters that are trained (those not frozen).
    public func parameters() -> [Tensor] {
        namedParameters().map(\.1).filter(\.requiresGrad)
    }

    /// Number of scalars in all parameters (frozen ones included).
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.count } }

    // MARK: Modes

    /// Switches this module and its sub-modules to training (true) or evaluation mode.
    public func train(_ training: Bool = true) {
        for (_, m) in namedModules() { m.isTraining = training }
    }

    /// Switches to evaluation mode.
    public func eval() { train(false) }

    /// Stops training every parameter (they keep their values).
    public func freeze() { for (_, p) in namedParameters() { p.requiresGrad = false } }

    /// Trains every parameter again.
    public func unfreeze() { for (_, p) in namedParameters() { p.requiresGrad = true } }

    /// Clears the gradients of every parameter.
    public func zeroGrad() { for (_, p) in namedParameters() { p.grad = nil } }
}
