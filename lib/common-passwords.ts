/**
 * Passwords of 12 or more characters that lead the public breach lists (shorter ones fail the
 * length rule anyway), lower-cased. Words that are the whole password once digits and symbols are
 * stripped ("Password2024!", "iloveyou12345") count as common too: see WEAK_WORDS.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "123456789012", "1234567890123", "12345678901234", "123456789123", "1234567891011", "123123123123",
  "123412341234", "121212121212", "112233445566", "111222333444", "147258369147", "123456123456",
  "qwertyuiopas", "qwertyuiop123", "qwerty123456", "qwerty12345678", "1q2w3e4r5t6y", "1qaz2wsx3edc",
  "q1w2e3r4t5y6", "zaq12wsxcde3", "qazwsxedcrfv", "asdfghjkl123", "asdfasdfasdf", "zxcvbnm12345",
  "qweasdzxc123", "1q2w3e4r5t6y7u", "abcdefghijkl", "abcd1234abcd", "abc123abc123", "a1b2c3d4e5f6",
  "passwordpassword", "password1234", "password12345", "password123456", "password1!", "p@ssw0rd1234",
  "iloveyou1234", "iloveyouiloveyou", "letmein12345", "welcome12345", "changeme1234", "administrator",
  "administrator1", "trustno1trustno1", "correcthorsebatterystaple", "correct horse battery staple",
  "thequickbrownfox", "thequickbrownfoxjumpsoverthelazydog", "mypassword123", "mypassword1234",
  "sunshine1234", "princess1234", "football1234", "baseball1234", "superman1234", "starwars1234",
  "whatever1234", "nothing12345", "computer1234", "internet1234", "qwertyqwerty", "monkeymonkey",
  "dragondragon", "secretsecret", "loveyouforever", "ilovemyfamily", "ilovemymother", "blink182blink182",
  "michaeljordan", "manchesterunited", "liverpoolfc1", "chelseafc123", "realmadrid12", "barcelona123",
  "pokemon12345", "minecraft123", "fortnite1234", "elephant1234", "chocolate123", "butterfly123",
  "spiderman123", "pa55word1234", "passw0rd1234", "letmeinletmein", "youwillneverguess", "nopassword123",
]);

/** Words that, with only digits and symbols around them, make a password everyone tries first. */
export const WEAK_WORDS: ReadonlySet<string> = new Set([
  "password", "passw", "pass", "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm", "iloveyou", "welcome",
  "letmein", "admin", "administrator", "monkey", "dragon", "sunshine", "princess", "football", "baseball",
  "superman", "batman", "trustno", "master", "shadow", "secret", "changeme", "login", "abc", "abcdef",
  "atelier", "flux", "kontext", "test", "default", "guest", "user", "love", "hello", "freedom", "whatever",
]);
