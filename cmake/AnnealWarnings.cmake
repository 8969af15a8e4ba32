# anneal_set_warnings(TARGET): the project's warning flags, applied per target (never globally).
function(anneal_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wswitch-enum
                                             -Wno-unused-parameter)
    if(ANNEAL_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(ANNEAL_ENABLE_ASAN)
        target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
        target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
endfunction()
