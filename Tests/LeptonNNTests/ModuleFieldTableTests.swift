import Testing
import LeptonTensor
import LeptonNN

// Module reflection reads only the properties whose declared type can hold a tensor or a
// module (ModuleFieldTable). These tests hold it to the rule it replaced, written out here on
// Mirror: every stored property whose value is a Tensor, a [Tensor], a Module or a [Module]
// (optionals unwrapped), sub-modules before nothing, superclass properties after the class's own.

private protocol Holder {}
extension Dense: Holder {}

@propertyWrapper private struct Wrapped {
    var wrappedValue: Tensor
}

private enum Mode { case fast, slow }

private class Mixed: Module {
    let weight = Tensor.ones([2])
    var missing: Tensor?
    var present: Tensor? = Tensor.zeros([3])
    var list: [Tensor] = [Tensor.ones([1]), Tensor.ones([4])]
    var optionalList: [Tensor]? = [Tensor.ones([5])]
    var child = Dense(units: 2, inputDimensions: 3)
    var missingChild: Module?
    var children: [Module] = [Dense(units: 1, inputDimensions: 2), Dropout(rate: 0.5, seed: 1)]
    var anything: Any = Tensor.ones([6])
    var object: AnyObject? = Dense(units: 3, inputDimensions: 1)
    var held: any Holder = Dense(units: 4, inputDimensions: 1)
    var optionalHeld: (any Holder)? = Dense(units: 5, inputDimensions: 1)
    weak var parent: Module?
    @Wrapped var wrapped = Tensor.ones([7])
    var count = 3
    var mode = Mode.fast
    var sizes = [1, 2, 3]
    var byName: [String: Tensor] = ["a": Tensor.ones([8])]
    var label = "mixed"
}

private final class Derived: Mixed {
    let extra = Tensor.ones([9])
    var rate: Float = 0.1
    var more: [Dense] = [Dense(units: 1, inputDimensions: 1)]
}

/// Holds a weak and an unowned reference to modules (read through Mirror: no table).
private final class Referring: Module {
    weak var parent: Module?
    unowned let owner: Module
    let kernel = Tensor.ones([3])
    init(owner: Module) { self.owner = owner }
}

private final class CustomMirror: Module, CustomReflectable {
    let kernel = Tensor.ones([2, 2])
    let hidden = Tensor.ones([1])
    var customMirror: Mirror { Mirror(self, children: ["shown": hidden]) }
}

/// The rule, on Mirror: the parameters of the whole tree (buffers left out) with dotted names.
private func reflectedTensors(_ module: Module, prefix: String = "") -> [(String, Tensor)] {
    var tensors: [(String, Tensor)] = []
    var children: [(String, Module)] = []
    var mirror: Mirror? = Mirror(reflecting: module)
    while let m = mirror {
        for child in m.children {
            guard var label = child.label else { continue }
            if label.hasPrefix("_") { label.removeFirst() }
            if module.bufferNames.contains(label) { continue }
            if let t = child.value as? Tensor { tensors.append((label, t)) }
            else if let ts = child.value as? [Tensor] { for (i, t) in ts.enumerated() { tensors.append(("\(label).\(i)", t)) } }
            else if let c = child.value as? Module { children.append((label, c)) }
            else if let cs = child.value as? [Module] { for (i, c) in cs.enumerated() { children.append(("\(label).\(i)", c)) } }
        }
        mirror = m.superclassMirror
    }
    let own = tensors.map { (prefix.isEmpty ? $0.0 : "\(prefix).\($0.0)", $0.1) }
    return own + children.flatMap { reflectedTensors($0.1, prefix: prefix.isEmpty ? $0.0 : "\(prefix).\($0.0)") }
}

private func expectSameTensors(_ module: Module) {
    let found = module.namedParameters()
    let expected = reflectedTensors(module)
    #expect(found.map(\.0) == expected.map(\.0))
    #expect(zip(found, expected).allSatisfy { $0.1 === $1.1 })
}

@Suite struct ModuleFieldTableTests {
    @Test func everyKindOfPropertyIsFoundAsMirrorFindsIt() {
        let module = Mixed()
        let names = module.namedParameters().map(\.0)
        for name in ["weight", "present", "list.0", "list.1", "optionalList.0", "child.kernel", "children.0.bias",
                     "anything", "object.kernel", "held.kernel", "optionalHeld.kernel"] {
            #expect(names.contains(name), "\(name) missing from \(names)")
        }
        // A dictionary, and a property wrapper's storage (a struct), hold no tensor Mirror finds.
        #expect(!names.contains { $0.hasPrefix("byName") || $0.hasPrefix("missing") || $0 == "wrapped" })
        expectSameTensors(module)
    }

    @Test func valuesSetAfterTheFirstLookUpAreFound() {
        let first = Mixed()
        _ = first.namedParameters()
        let second = Mixed()
        second.missing = Tensor.ones([10])
        second.missingChild = Dense(units: 2, inputDimensions: 2)
        second.anything = [Tensor.ones([11]), Tensor.ones([12])]
        second.object = nil
        let names = second.namedParameters().map(\.0)
        #expect(names.contains("missing") && names.contains("missingChild.kernel") && names.contains("anything.1"))
        #expect(!names.contains("object.kernel"))
        expectSameTensors(second)
    }

    @Test func weakAndUnownedReferencesAreReadAsTheyAre() {
        let parent = Dense(units: 3, inputDimensions: 3)
        let module = Mixed()
        module.parent = parent
        #expect(module.namedParameters().map(\.0).contains("parent.kernel"))
        expectSameTensors(module)
        let owner = Dense(units: 2, inputDimensions: 2)
        let referring = Referring(owner: owner)
        referring.parent = parent
        #expect(referring.namedParameters().map(\.0) == ["kernel", "parent.kernel", "parent.bias", "owner.kernel", "owner.bias"])
        expectSameTensors(referring)
    }

    @Test func subclassPropertiesComeBeforeTheSuperclasses() {
        let module = Derived()
        let names = module.namedParameters().map(\.0)
        #expect(names.first == "extra")
        #expect(names.contains("more.0.kernel"))
        expectSameTensors(module)
    }

    @Test func aCustomMirrorIsFollowed() {
        let module = CustomMirror()
        #expect(module.namedParameters().map(\.0) == ["shown"])
        expectSameTensors(module)
    }

    @Test func libraryModelsAreFoundAsMirrorFindsThem() {
        let encoder = TransformerEncoder(layers: 2, modelDimensions: 8, heads: 2, feedForwardDimensions: 16,
                                         dropout: 0.1, seed: 3)
        _ = encoder(Tensor.ones([1, 4, 8]))
        expectSameTensors(encoder)
        let model = Sequential([
            Conv2D(filters: 2, kernelSize: [3, 3], activation: .relu), BatchNormalization(),
            MaxPooling2D(poolSize: [2, 2]), Flatten(), Dense(units: 3),
        ])
        model.build(inputShape: [6, 6, 1])
        expectSameTensors(model)
        #expect(model.namedBuffers().count == 2)
        let recurrent = Sequential([Embedding(vocabularySize: 5, dimensions: 2), Bidirectional(LSTM(units: 3)), Dense(units: 1)])
        _ = recurrent(Tensor(indices: [1, 2, 3], shape: [1, 3]))
        expectSameTensors(recurrent)
    }
}
