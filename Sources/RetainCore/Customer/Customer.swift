import Foundation

/// A member of a program: who they are, how to reach them, and what they agreed to.
public struct Customer: Codable, Sendable, Equatable {
    public var id: String
    public var programID: String
    /// The id the shop or POS uses for this customer.
    public var externalID: String?
    public var cardNumber: String?
    /// Lower-cased, trimmed.
    public var email: String?
    /// Digits with an optional leading `+`.
    public var phone: String?
    public var firstName: String?
    public var lastName: String?
    /// `YYYY-MM-DD`, or `--MM-DD` when the year is unknown.
    public var birthday: String?
    /// IANA time zone; messages and birthdays use it.
    public var timeZone: String?
    /// BCP 47 language tag (`uk`, `pl`, `nb-NO`).
    public var language: String?
    public var tags: [String]
    public var attributes: [String: JSONValue]
    public var contacts: [ContactPoint]
    public var profileCompletedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, programID: String, externalID: String? = nil, cardNumber: String? = nil, email: String? = nil,
        phone: String? = nil, firstName: String? = nil, lastName: String? = nil, birthday: String? = nil,
        timeZone: String? = nil, language: String? = nil, tags: [String] = [], attributes: [String: JSONValue] = [:],
        contacts: [ContactPoint] = [], profileCompletedAt: Date? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.programID = programID
        self.externalID = externalID
        self.cardNumber = cardNumber
        self.email = email
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.birthday = birthday
        self.timeZone = timeZone
        self.language = language
        self.tags = tags
        self.attributes = attributes
        self.contacts = contacts
        self.profileCompletedAt = profileCompletedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case programID = "program_id"
        case externalID = "external_id"
        case cardNumber = "card_number"
        case email, phone
        case firstName = "first_name"
        case lastName = "last_name"
        case birthday
        case timeZone = "time_zone"
        case language, tags, attributes, contacts
        case profileCompletedAt = "profile_completed_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The profile fields a "completed profile" bonus can ask for.
    public static let profileFields = ["first_name", "last_name", "email", "phone", "birthday"]

    /// Whether every named profile field has a value.
    public func hasProfileFields(_ fields: [String]) -> Bool {
        fields.allSatisfy { field in
            switch field {
            case "first_name": return !(firstName ?? "").isEmpty
            case "last_name": return !(lastName ?? "").isEmpty
            case "email": return email != nil
            case "phone": return phone != nil
            case "birthday": return birthday != nil
            case "time_zone": return timeZone != nil
            case "language": return language != nil
            default: return false
            }
        }
    }
}

/// One way to reach a customer on one channel, with the consent the customer gave or withdrew for it.
public struct ContactPoint: Codable, Sendable, Equatable {
    public enum Channel: String, Codable, Sendable, CaseIterable {
        case email, sms, whatsapp, telegram, viber, push
    }

    public var channel: Channel
    public var address: String
    public var consent: Consent?

    public init(channel: Channel, address: String, consent: Consent? = nil) {
        self.channel = channel
        self.address = address
        self.consent = consent
    }
}

/// A consent decision: given or withdrawn, when, and how it was collected (`checkout_checkbox`, `paper_form`, …).
public struct Consent: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case given, withdrawn }

    public var status: Status
    public var at: Date
    public var source: String?

    public init(status: Status, at: Date, source: String? = nil) {
        self.status = status
        self.at = at
        self.source = source
    }
}
