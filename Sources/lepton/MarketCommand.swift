import ArgumentParser
import Foundation

/// `lepton market search|pull`: the platform's public model listings.
struct MarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Search the marketplace's listings, or pull one into your registry.",
        subcommands: [Search.self, Pull.self]
    )

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "search", abstract: "Listings whose name, task or description contains TEXT.")
        @Argument(help: "Text to look for (empty: every listing).") var text: String = ""
        @Option(help: "Only listings of this task.") var task: String?

        func run() async throws {
            var query = "q=\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            if let task { query += "&task=\(task.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            let listings = try await PlatformClient.load().object("GET", "/api/v1/market?\(query)")["listings"] as? [[String: Any]] ?? []
            print(ClientTable.render(listings, columns: ["id", "name", "task", "licence", "metrics", "description"]))
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Copy a listing into your registry as a new model version.")
        @Argument(help: "The listing id (lst_…).") var listing: String
        @Option(help: "The model name in your registry (default: the listing's name).") var name: String?

        func run() async throws {
            var body: [String: Any] = [:]
            if let name { body["name"] = name }
            let model = try await PlatformClient.load().object("POST", "/api/v1/market/\(listing)/pull", json: body)
            let version = (model["versions"] as? [[String: Any]])?.first?["number"]
            print("pulled \(listing) into model \(ClientTable.value(model["name"])) (\(ClientTable.value(model["id"]))) version \(ClientTable.value(version))")
        }
    }
}
