# Sourced by /init and the DHCP hook of the Atelier boot environment (docs/TRANSLATING.md): the
# lines for the volunteer in the machine's language ($ATELIER_LANG: atelier.lang= of the kernel
# command line, set by init; English without it).
#
# tr_line MSGID [NAME=VALUE...]: MSGID (English, with {NAME} placeholders) in the machine's
# language, from the same catalogue as the agent's screen (`atelier-imager text`); each {NAME}
# filled with its VALUE as written. If atelier-imager cannot run (a missing library: exactly when
# someone is debugging), the English MSGID with its placeholders filled here, so no value is lost.
tr_line() {
  atelier-imager text --lang "${ATELIER_LANG:-en}" -- "$@" 2>/dev/null && return 0
  words_line=$1
  shift
  for words_pair in "$@"; do
    words_name=${words_pair%%=*}
    words_value=${words_pair#*=}
    words_done=""
    while :; do
      case "$words_line" in
      *"{$words_name}"*)
        words_done=$words_done${words_line%%"{$words_name}"*}$words_value
        words_line=${words_line#*"{$words_name}"}
        ;;
      *) break ;;
      esac
    done
    words_line=$words_done$words_line
  done
  echo "$words_line"
}
