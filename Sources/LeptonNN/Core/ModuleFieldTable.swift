@_spi(Reflection) import Swift
import Synchronization
import LeptonTensor

/// Which stored properties of a module class can hold a tensor or a sub-module, and where they
/// sit in an instance, worked out once per class from the runtime's field metadata (names,
/// offsets, declared types), so that ``Module``'s reflection loads those few properties
/// directly instead of reflecting every property of every instance.
///
/// Reading one property through `Mirror` costs about a microsecond (the runtime decodes its
/// type each time); a `Dense` has a dozen properties and two parameters, and a training loop
/// that asks an optimizer for the parameters at every step walked them all, twice per step
/// (a fifth of a small MLP's step). A property is skipped only when its declared type cannot
/// hold a value that is a `Tensor`, a `Module` or an array of them (an `Int`, an enum, a
/// dictionary, another class). Properties of type `Tensor`, a `Module` class, an existential
/// (`Any`, `AnyObject`, a protocol), or an optional or array of one of those are loaded as
/// their declared type and handed on as `Mirror` would hand them. Classes with a custom mirror
/// or a `weak`/`unowned` property of such a type have no table; they are reflected as before.
struct ModuleFieldTable: @unchecked Sendable {
    /// A property that may hold a tensor or a module.
    struct Field {
        /// The property's name (its mirror label).
        let label: String
        /// Its byte offset in an instance.
        let offset: Int
        /// Loads it, as its declared type, from its address.
        let load: (UnsafeRawPointer) -> Any
    }

    /// The properties to read, in `Mirror`'s order: the class's own, then its superclasses'.
    let fields: [Field]

    private static let cache = Mutex<[ObjectIdentifier: ModuleFieldTable?]>([:])

    /// The table of `module`'s class, made on first use; nil when the class must be reflected
    /// through `Mirror`.
    static func table(for module: Module) -> ModuleFieldTable? {
        let key = ObjectIdentifier(type(of: module))
        if let known = cache.withLock({ $0[key] }) { return known }
        let made = make(for: module)
        cache.withLock { $0[key] = made }
        return made
    }

    /// Calls `body` with the label and value of every listed property of `module`.
    func visit(_ module: Module, _ body: (String, Any) -> Void) {
        withExtendedLifetime(module) {
            let base = UnsafeRawPointer(Unmanaged.passUnretained(module).toOpaque())
            for field in fields { body(field.label, field.load(base + field.offset)) }
        }
    }

    private static func make(for module: Module) -> ModuleFieldTable? {
        if module is CustomReflectable { return nil }
        var fields: [Field] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        // A class's fields list its superclasses' first; the superclass's list is the next level's.
        guard var declared = declaredFields(of: type(of: module)) else { return nil }
        while let m = mirror {
            var inherited: [DeclaredField] = []
            if let superMirror = m.superclassMirror {
                guard let fields = declaredFields(of: superMirror.subjectType) else { return nil }
                inherited = fields
            }
            let own = Array(declared.dropFirst(inherited.count))
            let labels = m.children.map(\.label)
            guard own.count == labels.count, zip(own, labels).allSatisfy({ $0.name == $1 }) else { return nil }
            for field in own where mayHold(field.type, kind: field.kind) {
                guard field.isStrong else { return nil }
                fields.append(Field(label: field.name, offset: field.offset, load: _openExistential(field.type, do: fieldLoader)))
            }
            declared = inherited
            mirror = m.superclassMirror
        }
        return ModuleFieldTable(fields: fields)
    }

    private struct DeclaredField {
        let name: String
        let offset: Int
        let type: Any.Type
        let kind: _MetadataKind
        /// False for `weak` and `unowned` references, which a load as the declared type would misread.
        let isStrong: Bool
    }

    /// The stored properties of a class, its superclasses' first; nil when the runtime cannot list them.
    private static func declaredFields(of type: Any.Type) -> [DeclaredField]? {
        var fields: [DeclaredField] = []
        let listed = _forEachField(of: type, options: .classType) { name, offset, fieldType, kind in
            var metadata = RuntimeFieldMetadata()
            _ = runtimeFieldType(type, index: fields.count, fieldMetadata: &metadata)
            metadata.freeName?(metadata.name)
            fields.append(DeclaredField(name: String(cString: name), offset: offset, type: fieldType, kind: kind,
                                        isStrong: metadata.isStrong))
            return true
        }
        return listed ? fields : nil
    }

    /// Whether a property declared with `type` can hold a value that `Module`'s reflection
    /// takes for a tensor, a module or an array of them.
    static func mayHold(_ type: Any.Type, kind: _MetadataKind) -> Bool {
        if type is Tensor.Type || type is Module.Type || type == AnyHashable.self { return true }
        if let container = type as? any ModuleFieldContainer.Type { return container.elementMayHold }
        return kind == .existential
    }

    /// The metadata kind of `type` (as the runtime reports it for a stored property).
    static func metadataKind<T>(of type: T.Type) -> _MetadataKind {
        var kind = _MetadataKind.unknown
        _ = _forEachField(of: KindProbe<T>.self) { _, _, _, fieldKind in
            kind = fieldKind
            return false
        }
        return kind
    }
}

/// What the runtime tells of a stored property beyond `_forEachField` (the layout of the
/// standard library's `_FieldReflectionMetadata`).
private struct RuntimeFieldMetadata {
    var name: UnsafePointer<CChar>?
    var freeName: (@convention(c) (UnsafePointer<CChar>?) -> Void)?
    var isStrong = false
    var isVar = false
}

/// The standard library's own entry for a stored property's type and metadata (what `Mirror`
/// uses; `index` counts superclass properties first, as `_forEachField` does).
@_silgen_name("swift_reflectionMirror_recursiveChildMetadata")
private func runtimeFieldType(_ type: Any.Type, index: Int,
                              fieldMetadata: UnsafeMutablePointer<RuntimeFieldMetadata>) -> Any.Type

/// A loader of values of type `T`.
private func fieldLoader<T>(_: T.Type) -> (UnsafeRawPointer) -> Any {
    { $0.load(as: T.self) }
}

/// A struct whose one property has the type whose metadata kind is asked for.
private struct KindProbe<T> {
    var value: T
}

/// Optionals and arrays: a property of such a type may hold a tensor or a module when its
/// element type may.
protocol ModuleFieldContainer {
    static var elementMayHold: Bool { get }
}

extension Optional: ModuleFieldContainer {
    static var elementMayHold: Bool {
        ModuleFieldTable.mayHold(Wrapped.self, kind: ModuleFieldTable.metadataKind(of: Wrapped.self))
    }
}

extension Array: ModuleFieldContainer {
    static var elementMayHold: Bool {
        ModuleFieldTable.mayHold(Element.self, kind: ModuleFieldTable.metadataKind(of: Element.self))
    }
}
